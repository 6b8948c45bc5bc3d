// The wizard's offer after a write: when Docker answers and this install's
// platform is running, name the command that proves its GPU path (doctor
// --runtime). One bounded `docker ps`; silent when Docker does not answer or
// the platform is not running, so it never delays or clutters a first install.
import type { Host } from '../host/types.js';
import type { InstallState } from '../install/types.js';
import { shellQuote } from '../present/shell.js';
import { composeInvocation } from './runtime-layout.js';
import { parsePs, pickApiContainer } from './runtime-probe.js';

export async function runtimeOffer(host: Host, install: InstallState, command: string): Promise<string | null> {
  const inv = composeInvocation(install, null, null, {});
  const ps = await host.run('docker', ['ps', '--all', '--no-trunc', '--filter', 'label=com.docker.compose.service=api', '--format', '{{json .}}'], { timeoutMs: 2000 });
  if (ps.status !== 'ok') return null;
  const { container } = pickApiContainer(parsePs(ps.stdout), inv);
  if (!container || container.state !== 'running') return null;
  const start = install.operatorScript ? './operator.sh start' : 'docker compose … up -d api';
  return `The platform is running here (${container.name}): once kg-api runs with these files (${start}), prove its GPU path: ${command} doctor --runtime --dir ${shellQuote(install.dir)}`;
}
