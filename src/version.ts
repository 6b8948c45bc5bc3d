export const VERSION: string = __KG_INIT_VERSION__;
