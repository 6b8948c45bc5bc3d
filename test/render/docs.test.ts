// doctor's fast path reads a compose file kg-init rendered without the YAML
// parser (src/render/docs.ts): what it reads must be what YAML reads from the
// same bytes, for every template, mode and kind of value.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MODES, imageTagFor } from '../../src/catalog.js';
import { composeFilesFor, renderFile, type RenderInput } from '../../src/render/render.js';
import { renderedDoc, templateDocs } from '../../src/render/docs.js';

const yaml = (t: string) => parse(t, { logLevel: 'error' });

describe('renderedDoc', () => {
  const registries = ['ghcr.io/aaronsb/knowledge-graph-system', 'registry.example.com:5000/mirror/kg', 'localhost/kg'];
  const overlays = [
    { groupGids: [], rocrVisibleDevices: null, hsaOverrideGfxVersion: null },
    { groupGids: [989], rocrVisibleDevices: 'GPU-5e2a81c09d1b4f13', hsaOverrideGfxVersion: null },
    { groupGids: [44, 989, 107, 989], rocrVisibleDevices: '0,1', hsaOverrideGfxVersion: '11.0.0' },
    { groupGids: [0, 4294967295], rocrVisibleDevices: null, hsaOverrideGfxVersion: '10.3.0' },
  ];
  for (const mode of MODES) {
    it(`equals YAML's reading of every ${mode} file kg-init renders`, () => {
      let n = 0;
      for (const registry of registries) {
        for (const [apiTag, platformTag] of [[imageTagFor(mode), 'latest'], [imageTagFor(mode, '0.13.1'), '0.13.1']] as const) {
          for (const amdOverlay of mode === 'amd-host' ? overlays : [null]) {
            for (const imageSource of ['ghcr', 'local'] as const) {
              const input: RenderInput = { mode, registry, apiTag, platformTag, amdOverlay, version: '9.9.9', imageSource };
              for (const file of composeFilesFor(mode)) {
                const doc = renderedDoc(file, input);
                expect(doc, `${file} ${JSON.stringify(input)}`).not.toBeNull();
                expect(doc).toEqual(yaml(renderFile(file, input)));
                n++;
              }
            }
          }
        }
      }
      expect(n).toBeGreaterThan(10);
    });
  }

  it('has nothing to give without the documents the build stamps in', () => {
    const input: RenderInput = { mode: 'cpu', registry: registries[0]!, apiTag: 'latest', platformTag: 'latest', amdOverlay: null, version: '1', imageSource: 'ghcr' };
    expect(renderedDoc('docker-compose.ghcr.yml', input, {})).toBeNull();
    expect(renderedDoc('docker-compose.ghcr.yml', input, templateDocs(yaml))).toEqual(yaml(renderFile('docker-compose.ghcr.yml', input)));
  });
});
