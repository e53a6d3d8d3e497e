/**
 * What the widget's files are made of: each source module's share of the built loader and dialog
 * file, so that a size budget that breaks says where to look. Built in memory with a source map,
 * each minified byte is attributed to the module it came from; a module's cost is what its bytes
 * add to the file's gzip (the file gzipped without them, subtracted from the file gzipped whole).
 * Gzip shares matches across modules, so these costs do not add up to the file's size: a module
 * whose words appear elsewhere too costs less than it weighs alone.
 */
import { decode } from "@jridgewell/sourcemap-codec";
import { gzipSync } from "node:zlib";
import { build, type InlineConfig, type Rolldown } from "vite";
import { builtFile, dialogConfig, loaderConfig, SETUP_BUILD } from "../../vite.config.ts";

const gzip = (code: string) => gzipSync(code, { level: 9 }).length;

export interface ModuleShare {
  /** The source file, relative to the project; a dependency's package name. */
  module: string;
  /** Its bytes in the minified file. */
  minified: number;
  /** What its bytes add to the file's gzip size. */
  gzip: number;
}

async function buildWithMap(config: InlineConfig): Promise<Rolldown.OutputChunk> {
  const result = await build({ ...config, build: { ...config.build, sourcemap: true } });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((item) => item.type === "chunk");
  if (chunk?.type !== "chunk" || !chunk.map) throw new Error("the bench's build produced no chunk with a source map");
  return chunk;
}

/** The chunk's code without its source map comment, as the build writes it, and each of its bytes' module. */
function attribute(chunk: Rolldown.OutputChunk): { code: string; owners: string[] } {
  const map = chunk.map!;
  const code = chunk.code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "");
  const owners: string[] = [];
  let offset = 0;
  const lines = code.split("\n");
  const decoded = decode(map.mappings);
  lines.forEach((line, index) => {
    const segments = decoded[index] ?? [];
    // The bytes before a line's first mapping (the IIFE's wrapper) come from no module.
    owners.push(...Array<string>(Math.min(segments[0]?.[0] ?? line.length, line.length) + 1).fill("(the build's wrapper)"));
    segments.forEach((segment, at) => {
      const end = Math.min(segments[at + 1]?.[0] ?? line.length, line.length);
      const source = segment.length > 1 ? map.sources[segment[1]!]! : "(the build's wrapper)";
      // A dependency by its package's name ("preact"), the project's own files by their path.
      const module = source.replace(/^(\.\.\/)+/, "").replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, "$1");
      for (let column = segment[0]; column < end; column++) owners[offset + column] = module;
    });
    offset += line.length + 1;
  });
  return { code, owners: owners.slice(0, code.length) };
}

function shares(chunk: Rolldown.OutputChunk): { gzip: number; modules: ModuleShare[] } {
  const { code, owners } = attribute(chunk);
  const whole = gzip(code);
  const modules = [...new Set(owners)].map((module) => {
    let without = "";
    let minified = 0;
    for (let index = 0; index < code.length; index++) {
      if (owners[index] === module) minified++;
      else without += code[index];
    }
    return { module, minified, gzip: whole - gzip(without) };
  });
  return { gzip: whole, modules: modules.sort((a, b) => b.gzip - a.gzip) };
}

/**
 * The loader's and the dialog file's modules, each built as `vite build` builds it (the setup
 * report first, then the dialog with its name and integrity, then the loader with the dialog's).
 */
export async function moduleShares() {
  const setup = await buildWithMap(SETUP_BUILD);
  const dialog = await buildWithMap(dialogConfig(builtFile(setup.code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, ""), "dialog-setup")));
  const loader = await buildWithMap(loaderConfig(builtFile(attribute(dialog).code)));
  return { loader: shares(loader), dialog: shares(dialog) };
}
