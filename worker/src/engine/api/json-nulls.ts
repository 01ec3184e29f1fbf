/**
 * Docker's daemon decodes request bodies with Go's encoding/json, where a
 * JSON `null` leaves a field unset: `{"Cmd": null}` (what the docker CLI
 * sends when no command is given) means "no Cmd: use the image's". Dropping
 * null-valued properties, at any depth, before schema validation gives every
 * route that meaning at once; otherwise ajv's type coercion turns a null into
 * "" or 0 and `docker run IMAGE` runs an empty command. Elements of arrays
 * are kept as they are. Returns the same value, changed in place.
 */
export function dropJsonNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const v of value) dropJsonNulls(v);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      if (obj[k] === null) delete obj[k];
      else dropJsonNulls(obj[k]);
    }
  }
  return value;
}
