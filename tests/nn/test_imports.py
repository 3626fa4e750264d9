"""``import nn`` loads no third-party package: tqdm and scikit-learn are imported only when used."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def test_import_nn_loads_no_third_party_module():
    code = "\n".join(
        [
            "import sys",
            "import nn, nn.activations, nn.data, nn.export, nn.layers, nn.losses, nn.module, nn.optim, nn.train",
            "import nn.serialization",
            "watched = {'tqdm', 'sklearn', 'numpy', 'scipy', 'graphviz', 'matplotlib', 'hypothesis', 'pytest'}",
            "watched |= {'torch', 'onnx', 'onnxruntime'}",
            "print(','.join(sorted({name.split('.')[0] for name in sys.modules} & watched)))",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPOSITORY)
    assert result.stdout.strip() == ""
