import { z } from 'zod';

/**
 * zod compiles fast validators with `new Function` where it may, and probes for that once; on a page with a
 * strict Content-Security-Policy (no 'unsafe-eval') the probe is reported as a CSP violation even though it
 * is caught. Our schemas are small and parsed once per request: the interpreted path costs nothing worth a
 * violation report on every embedding page. Imported for its effect by every module that parses.
 */
z.config({ jitless: true });
