"""Fixtures for the C++ MAE tests, written by Debian's system python3 with python3-torch.

usage: /usr/bin/python3 make_fixtures.py OUT_DIR

OUT_DIR/brats_style.pth    like brats_pretrained.pth: model, optimizer, epoch, scaler, args (Namespace)
OUT_DIR/legacy.pth         the same model in the legacy (non-zip) format
OUT_DIR/mismatched.pth     one tensor missing, one extra, one with a wrong shape
OUT_DIR/equivalence.pth    inputs, noises and PyTorch's outputs for the port-equivalence test
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_mae as ref  # noqa: E402

TINY = dict(img_size=32, patch_size=8, in_chans=1, embed_dim=32, depth=2, num_heads=4,
            decoder_embed_dim=16, decoder_depth=1, decoder_num_heads=2, mlp_ratio=4.0)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    model = ref.MaskedAutoencoderViT(**TINY)
    with torch.no_grad():  # fixed random weights, larger than the init so every path matters
        for name, p in model.named_parameters():
            if "pos_embed" not in name:
                p.normal_(0.0, 0.2 if p.dim() > 1 else 0.1)
    model.eval()

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, betas=(0.9, 0.95))
    loss, *_ = model(torch.rand(2, 1, 32, 32), ref.random_masking(torch.rand(2, 16), 0.75))
    loss.backward()
    optimizer.step()
    args = argparse.Namespace(model="mae_vit_tiny_test", batch_size=64, blr=1e-3, mask_ratio=0.75,
                              norm_pix_loss=False, device=torch.device("cpu"), output_dir="./output_dir")
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 7,
                  "scaler": {"scale": 65536.0, "growth_factor": 2.0, "_growth_tracker": 0}, "args": args}
    torch.save(checkpoint, os.path.join(out, "brats_style.pth"))
    torch.save(checkpoint, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)

    bad = dict(model.state_dict())
    del bad["norm.bias"]
    bad["head.weight"] = torch.zeros(3)
    bad["decoder_pred.weight"] = torch.zeros(5, 16)
    torch.save({"model": bad}, os.path.join(out, "mismatched.pth"))

    # Equivalence: one batch, a random mask, and the 4-trial grid-masked anomaly map.
    imgs = torch.rand(3, 1, 32, 32)
    noise = torch.rand(3, 16)
    trial_noises = [torch.rand(3, 16) for _ in range(4)]
    with torch.no_grad():
        masking = ref.random_masking(noise, 0.75)
        loss, pred, mask, latent = model(imgs, masking)
        model.norm_pix_loss = True
        loss_norm_pix = model.forward_loss(imgs, pred, mask)
        model.norm_pix_loss, model.loss_on_all_patches = False, True
        loss_all = model.forward_loss(imgs, pred, mask)
        model.loss_on_all_patches = False
        amap, average = ref.anomaly_map(model, imgs, trial_noises)
    torch.save({"imgs": imgs, "noise": noise, "trial_noises": torch.stack(trial_noises), "latent": latent,
                "pred": pred, "mask": mask, "loss": loss, "loss_norm_pix": loss_norm_pix, "loss_all": loss_all,
                "anomaly_map": amap, "reconstruction": average},
               os.path.join(out, "equivalence.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
