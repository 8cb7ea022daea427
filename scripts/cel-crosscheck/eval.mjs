// The verdict of @marcbachmann/cel-js for each case of gen_cases.py: true, false or error.
// Kubernetes' escaping of the reserved word namespace (__namespace__) is undone by renaming
// the field, and integers are passed as CEL ints (BigInt).
import {evaluate} from '@marcbachmann/cel-js'
import fs from 'fs'
import readline from 'readline'
function convert(v) {
  if (Array.isArray(v)) return v.map(convert)
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k === 'namespace' ? 'ns__' : k] = convert(x)
    return o
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  return v
}
const rl = readline.createInterface({input: fs.createReadStream(process.argv[2])})
for await (const line of rl) {
  const c = JSON.parse(line)
  const rule = c.rule.replaceAll('__namespace__', 'ns__')
  let out
  try {
    const r = evaluate(rule, {self: convert(c.self)})
    out = r === true ? 'true' : r === false ? 'false' : 'other ' + String(r)
  } catch (e) {
    out = 'error ' + String(e.message).split('\n')[0]
    if (out.includes('has() invalid argument')) {
      // cel-js cannot take has() of a nested select: has(a.b.c) is ('c' in a.b) when a.b is a map.
      const alt = rule.replace(/has\(([\w.\[\]]+)\.(\w+)\)/g, "('$2' in $1)")
      try {
        const r = evaluate(alt, {self: convert(c.self)})
        out = r === true ? 'true' : r === false ? 'false' : 'other ' + String(r)
      } catch (e2) { out = 'error ' + String(e2.message).split('\n')[0] }
    }
  }
  console.log(out)
}
