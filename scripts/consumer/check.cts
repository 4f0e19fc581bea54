// The CommonJS view of the same types (require of the ESM package, as Node 20.19+ allows).
import ringpipe = require('@ringpipe/client');

const pipe = ringpipe.createPipe('TYPES', { access: 'write' });
const accepted: boolean = pipe.write(Buffer.from('x'));
console.log(accepted, pipe.name);
