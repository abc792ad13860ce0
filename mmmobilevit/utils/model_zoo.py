"""The model index: ``model-index.yml`` and the metafiles it imports."""
import os.path as osp
from typing import List, Tuple

import yaml


def load_models(root: str) -> List[Tuple[str, dict]]:
    """[(metafile path, model dict)] in model-index order, below ``root`` (the checkout
    or an installed package's ``.mim`` folder)."""
    with open(osp.join(root, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    models = []
    for rel in index['Import']:
        path = osp.join(root, rel)
        with open(path) as f:
            meta = yaml.safe_load(f)
        models += [(path, m) for m in meta['Models']]
    return models
