// Runs in the browser before React hydrates, so before any client module builds a zod schema.
// zod's object schemas probe for eval (`new Function("")`) to compile a fast path; the probe is
// caught, but under the Content-Security-Policy (next.config.ts, no 'unsafe-eval') the browser
// still reports it as a violation. jitless skips the probe; parsing stays the same.
import { z } from 'zod';

z.config({ jitless: true });
