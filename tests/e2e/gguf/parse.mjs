// Differential GGUF parsing, the @huggingface/gguf side: for each file given on
// the command line prints one JSON line {file, ok, keys, tensors | error}. Keys
// are the metadata keys in file order (the library's own version / tensor_count /
// kv_count entries removed); tensors are {name, type, ne (innermost first), offset}.
import { gguf } from "@huggingface/gguf";

const pseudo = new Set(["version", "tensor_count", "kv_count"]);

for (const file of process.argv.slice(2)) {
  let line;
  try {
    const out = await gguf(file, { allowLocalFile: true });
    const keys = Object.keys(out.metadata).filter((k) => !pseudo.has(k));
    const tensors = out.tensorInfos.map((t) => ({
      name: t.name,
      type: Number(t.dtype),
      ne: t.shape.map((d) => d.toString()),
      offset: t.offset.toString(),
    }));
    line = { file, ok: true, keys, tensors };
  } catch (e) {
    line = { file, ok: false, error: String(e && e.message ? e.message : e).slice(0, 300) };
  }
  process.stdout.write(JSON.stringify(line) + "\n");
}
