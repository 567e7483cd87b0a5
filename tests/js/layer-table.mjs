// The table of layers as the tests read it: src/layers/layer_table.h parsed as text (its format is described at
// its top), independently of the core that compiles it.
import { readFileSync } from 'node:fs';

const TABLE = new URL('../../src/layers/layer_table.h', import.meta.url);

/** [{name, fields, traits, fused, torch}] in the table's order; traits is a list of words. */
export function layerTable() {
  return readFileSync(TABLE, 'utf8').split('\n').map((line) => line.trim())
    .filter((line) => line.startsWith('TT_LAYER(') && line.endsWith(')'))
    .map((line) => {
      const [name, , fields, traits, fused, torch] = line.slice('TT_LAYER('.length, -1).split(',').map((c) => c.trim());
      return { name, fields, traits: traits.split(/\s+/).filter(Boolean), fused, torch };
    });
}
