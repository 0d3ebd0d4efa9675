"""The PyTorch half of bench_mae_inference.sh.

usage: /usr/bin/python3 bench_mae_pytorch.py prepare DIR MODEL BATCH THREADS
       /usr/bin/python3 bench_mae_pytorch.py run DIR THREADS REPEATS
       /usr/bin/python3 bench_mae_pytorch.py compare DIR
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mae"))
import reference_mae as ref  # noqa: E402

MODELS = {
    "mae_vit_base_patch16": dict(embed_dim=768, depth=12, num_heads=12, decoder_embed_dim=512, decoder_depth=8,
                                 decoder_num_heads=16),
    "mae_vit_small_synth": dict(embed_dim=192, depth=4, num_heads=3, decoder_embed_dim=128, decoder_depth=2,
                                decoder_num_heads=4),
}


def build(name):
    return ref.MaskedAutoencoderViT(img_size=224, patch_size=16, in_chans=1, **MODELS[name])


def prepare(out, name, batch):
    torch.manual_seed(0)
    model = build(name)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "pos_embed" not in pname:
                p.normal_(0.0, 0.02)
    torch.save({"model": model.state_dict(), "epoch": 0, "args": argparse.Namespace(model=name)},
               os.path.join(out, "weights.pth"))
    torch.save({"imgs": torch.rand(batch, 1, 224, 224), "trial_noises": torch.rand(4, batch, 196), "name": name},
               os.path.join(out, "inputs.pth"))


def run(out, threads, repeats):
    torch.set_num_threads(threads)
    saved = torch.load(os.path.join(out, "weights.pth"))
    model = build(saved["args"].model)
    model.load_state_dict(saved["model"])
    model.eval()
    inputs = torch.load(os.path.join(out, "inputs.pth"))
    imgs, noises = inputs["imgs"], list(inputs["trial_noises"].unbind(0))
    masks = [ref.grid_masking(n) for n in noises]  # computed once, outside the timing

    def reconstruct():
        total = None
        for m in masks:
            _, pred, mask, _ = model(imgs, m)
            recon = model.unpatchify(pred)
            pm = model.unpatchify(mask.unsqueeze(-1).repeat(1, 1, 256))
            pasted = imgs * (1 - pm) + recon * pm
            total = pasted if total is None else total + pasted
        average = total / len(masks)
        return (imgs - average.clamp(0, 1)).abs(), average

    with torch.inference_mode():
        amap, average = reconstruct()
        best = 1e30
        for _ in range(repeats):
            start = time.perf_counter()
            amap, average = reconstruct()
            best = min(best, time.perf_counter() - start)
    torch.save({"anomaly_map": amap, "reconstruction": average, "seconds": best}, os.path.join(out, "python.pth"))
    print(f"PyTorch eager: {imgs.shape[0] / best:.2f} images/s (best of {repeats}, batch {imgs.shape[0]}, "
          f"{threads} thread(s))")


def compare(out):
    cpp = torch.load(os.path.join(out, "cpp.pth"))
    py = torch.load(os.path.join(out, "python.pth"))
    diff = max((cpp[k] - py[k]).abs().max().item() for k in ("anomaly_map", "reconstruction"))
    ratio = py["seconds"] / cpp["seconds"]
    print(f"max |C++ - PyTorch| = {diff:.2e} (limit 1e-4); C++ / PyTorch speed ratio = {ratio:.3f}x")
    return 0 if diff <= 1e-4 else 1


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "run":
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(compare(sys.argv[2]))
