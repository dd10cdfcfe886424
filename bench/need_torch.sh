# Sourced by the benchmarks that compare with PyTorch: stops at once, saying how to install it, when
# $PYTHON cannot import torch (before the eiscope side has run for minutes). PyTorch comes from PyPI;
# `./eiscope build` does not install it, since only these benchmarks use it.
if ! "$PYTHON" -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
  echo "$0: PyTorch (the reference side) is not importable by $PYTHON. Install it once with" >&2
  echo "  python3 -m venv .tools/venv && .tools/venv/bin/pip install torch numpy threadpoolctl" >&2
  echo "or point PYTHON at an interpreter that has torch, numpy and threadpoolctl." >&2
  exit 2
fi
