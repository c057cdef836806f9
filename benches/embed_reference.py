"""The Python reference for `cargo bench --bench embed --features transformers`: embeds the
same sentences with sentence-transformers (batches of 32, its own length sorting) on N torch
threads and prints one JSON object with the sentences per wall-clock second and per
CPU-second of every round. Run by the benchmark with the venv of
`.ci/setup-transformers.sh --python-reference`.

Usage: embed_reference.py --model DIR --input FILE --threads N --rounds R
"""

import argparse
import json
import time

import torch
from sentence_transformers import SentenceTransformer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True, help="JSON lines with a `text` field")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    with open(args.input, encoding="utf-8") as f:
        sentences = [json.loads(line)["text"] for line in f if line.strip()]
    model = SentenceTransformer(args.model, device="cpu")
    model.encode(sentences[: args.batch_size], batch_size=args.batch_size)  # warm-up
    wall, cpu = [], []
    for _ in range(args.rounds):
        w, c = time.perf_counter(), time.process_time()
        model.encode(sentences, batch_size=args.batch_size, convert_to_numpy=True)
        wall.append(len(sentences) / (time.perf_counter() - w))
        cpu.append(len(sentences) / max(time.process_time() - c, 1e-9))
    print(json.dumps({"threads": args.threads, "sentences": len(sentences), "wall_per_s": wall, "cpu_per_s": cpu}))


if __name__ == "__main__":
    main()
