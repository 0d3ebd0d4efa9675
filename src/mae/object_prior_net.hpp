#pragma once
// The foreign-object prior's network, shared by its inference (object_prior.cpp) and its
// adaptation to a site (prior_adaptation.cpp); parameter names as scripts/train_fo_prior.py
// saves them. Torch-facing: include only from src/mae/*.cpp and tests.

#include <torch/torch.h>

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace medanon::mae {

namespace nn = torch::nn;

// Two 3x3 convolutions, each with batch norm and ReLU: one level of the U-Net.
inline nn::Sequential unet_level(std::int64_t in, std::int64_t out) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)), nn::BatchNorm2d(out), nn::ReLU(),
                        nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)), nn::BatchNorm2d(out), nn::ReLU());
}

// U-Net (Ronneberger, Fischer & Brox, 2015): a contracting path of levels with 2x2 max pooling,
// a bottom level of twice the last width, an expanding path of 2x2 transposed convolutions whose
// output is concatenated with the contracting path's feature map of the same size, and a 1x1
// convolution to one logit per pixel.
struct UNetImpl : nn::Module {
  explicit UNetImpl(const std::vector<std::int64_t>& channels) {
    std::int64_t in = 1;
    for (const auto c : channels) {
      down->push_back(unet_level(in, c));
      in = c;
    }
    bottom = register_module("bottom", unet_level(channels.back(), 2 * channels.back()));
    in = 2 * channels.back();
    for (auto c = channels.rbegin(); c != channels.rend(); ++c) {
      upsample->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, *c, 2).stride(2)));
      up->push_back(unet_level(2 * *c, *c));
      in = *c;
    }
    register_module("down", down);
    register_module("upsample", upsample);
    register_module("up", up);
    head = register_module("head", nn::Conv2d(nn::Conv2dOptions(channels.front(), 1, 1)));
  }

  torch::Tensor forward(torch::Tensor x) {
    std::vector<torch::Tensor> skips;
    for (std::size_t i = 0; i < down->size(); ++i) {
      x = down->ptr<nn::SequentialImpl>(i)->forward(x);
      skips.push_back(x);
      x = torch::max_pool2d(x, 2);
    }
    x = bottom->forward(x);
    for (std::size_t i = 0; i < up->size(); ++i) {
      const auto& skip = skips[skips.size() - 1 - i];
      x = up->ptr<nn::SequentialImpl>(i)->forward(
          torch::cat({upsample->ptr<nn::ConvTranspose2dImpl>(i)->forward(x), skip}, 1));
    }
    return head->forward(x);
  }

  nn::ModuleList down, upsample, up;
  nn::Sequential bottom{nullptr};
  nn::Conv2d head{nullptr};
};
TORCH_MODULE(UNet);

// A prior checkpoint as saved: the network with its weights (on the CPU, eval mode) and the
// view and percentile window it was trained with. Throws TorchSaveError.
struct PriorCheckpoint {
  UNet net{nullptr};
  std::vector<std::int64_t> channels;
  int view = 256;
  double window_low = 0.5, window_high = 99.9;
  std::string load_report;  // load_state_dict's summary
};
PriorCheckpoint load_prior_checkpoint(const std::string& path);

// The network's input for `image` (CV_8U or CV_16U, one channel): the percentile window to
// [0, 1], area-resampled to view x view. A CPU tensor [1, 1, view, view].
torch::Tensor prior_input(const cv::Mat& image, int view, double window_low, double window_high);

// The same with the window given as pixel values [low, high] (a window taken on another image).
torch::Tensor windowed_view(const cv::Mat& image, int view, double low, double high);

}  // namespace medanon::mae
