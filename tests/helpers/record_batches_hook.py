"""Test helper: records every training batch's shape on every rank to a json file."""
import json
import os.path as osp
from typing import TYPE_CHECKING, Optional

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class RecordBatchesHook(Hook):
    """Writes ``batches_rank{r}.json``: per epoch, the (h, w, batch size) of each batch."""

    def before_train(self, runner: 'Runner') -> None:
        self.path = osp.join(runner.work_dir, f'batches_rank{get_rank()}.json')
        self.record = json.load(open(self.path)) if osp.exists(self.path) else {}
        self.record['len'] = len(runner.train_dataloader)

    def before_train_iter(self, runner: 'Runner', batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        x = data_batch['inputs']
        shapes = {tuple(t.shape[-2:]) for t in x}
        assert len(shapes) == 1, shapes  # one resolution per batch
        h, w = shapes.pop()
        self.record.setdefault(str(runner.epoch), []).append([h, w, len(x)])

    def after_train_epoch(self, runner: 'Runner') -> None:
        with open(self.path, 'w') as f:
            json.dump(self.record, f)
