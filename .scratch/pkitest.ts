import { createTestPki } from "../test/cluster/pki.js";
console.time("pki"); const p = await createTestPki("/tmp/tmp.20ovhsrU9t"); console.timeEnd("pki"); console.log(p);
