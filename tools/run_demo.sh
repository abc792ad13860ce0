#!/usr/bin/env bash
# The main job (README): SSDLite-MobileViT-XXS on the bundled toy detection data, CPU.
#   1. builds or reuses the environment,  2. writes the toy COCO data,
#   3. trains through tools/train.py,     4. evaluates the best (EMA) checkpoint and the
#      untrained model through tools/test.py (COCO bbox mAP),
#   5. draws the predictions on a validation image with mmdet's inference_detector.
# Interrupted? Run it again: training resumes from its last checkpoint.
# MMMOBILEVIT_UPDATE_DOCS=1 also copies the picture to docs/_static/demo_prediction.jpg
# and the summary lines to docs/_generated/demo.txt (the README's figure and quote).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
start=$(date +%s)
bash tools/setup_env.sh
source tools/env_paths.sh
export PATH="$MMMOBILEVIT_VENV/bin:$PATH"
setup_done=$(date +%s)

CONFIG=configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py
WORK=${WORK_DIR:-work_dirs/demo_ssdlite_mobilevit-xxs}
IMAGE=data/toy/coco/val2017/000000000003.jpg

python tools/misc/make_toy_data.py --out data/toy
echo "[run_demo] training $CONFIG (work dir: $WORK/train)"
python tools/train.py "$CONFIG" --work-dir "$WORK/train" --resume
best=$(ls -t "$WORK"/train/best_coco_bbox_mAP_epoch_*.pth | head -n 1)
echo "[run_demo] evaluating $best"
python tools/test.py "$CONFIG" "$best" --work-dir "$WORK/test_trained"
python tools/misc/init_checkpoint.py "$CONFIG" "$WORK/untrained.pth"
echo "[run_demo] evaluating the untrained model"
python tools/test.py "$CONFIG" "$WORK/untrained.pth" --work-dir "$WORK/test_untrained"
python tools/misc/det_image_demo.py "$CONFIG" "$best" "$IMAGE" --out-file "$WORK/prediction.jpg"
if [ "${MMMOBILEVIT_UPDATE_DOCS:-0}" = 1 ]; then
  cp "$WORK/prediction.jpg" docs/_static/demo_prediction.jpg
  echo "[run_demo] copied the picture to docs/_static/demo_prediction.jpg"
fi

python - "$WORK" <<'PY' | tee "$WORK/summary.txt"
import glob, json, os.path as osp, sys
work = sys.argv[1]
def bbox_map(sub):
    files = sorted(f for f in glob.glob(osp.join(work, sub, '*', '*.json')) if 'vis_data' not in f)
    return json.load(open(files[-1]))['coco/bbox_mAP']
trained, untrained = bbox_map('test_trained'), bbox_map('test_untrained')
print(f'[run_demo] toy COCO bbox mAP: trained {trained:.3f}, untrained {untrained:.3f}')
# the last validation of training: the EMA model (what checkpoints hold) and the raw one
scalars = sorted(glob.glob(osp.join(work, 'train', '*', 'vis_data', 'scalars.json')))
vals = [json.loads(line) for f in scalars for line in open(f) if 'raw/coco/bbox_mAP' in line]
if vals:
    last = vals[-1]
    print(f"[run_demo] last validation (epoch {last.get('step')}): EMA model "
          f"{last['coco/bbox_mAP']:.3f}, raw model {last['raw/coco/bbox_mAP']:.3f}")
print(f'[run_demo] predictions drawn to {osp.join(work, "prediction.jpg")}')
PY
end=$(date +%s)
done_line="[run_demo] done in $(( end - setup_done )) s (+ $(( setup_done - start )) s environment check)"
echo "$done_line"
if [ "${MMMOBILEVIT_UPDATE_DOCS:-0}" = 1 ]; then
  { grep -v 'predictions drawn to' "$WORK/summary.txt"; echo "$done_line"; } > docs/_generated/demo.txt
  echo "[run_demo] wrote docs/_generated/demo.txt"
fi
