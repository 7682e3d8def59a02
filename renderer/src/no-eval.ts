// Imported first by main.tsx. The page's CSP forbids eval; zod would otherwise probe for it while the
// session contract's schemas are being created, and the browser reports every probe as a violation.
import { z } from 'zod';

z.config({ jitless: true });
