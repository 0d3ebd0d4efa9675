// Bucketed, overlapped gradient allreduce (see gradient_averager.hpp).

#include "mae/gradient_averager.hpp"

#include <chrono>
#include <stdexcept>

namespace medanon::mae {

GradientAverager::GradientAverager(const std::vector<std::pair<std::string, torch::Tensor>>& parameters,
                                   const mpi::Communicator& comm, std::size_t bucket_bytes)
    : comm_(comm), mpi_thread_(std::this_thread::get_id()) {
  const std::int64_t bucket_floats = std::max<std::int64_t>(1, static_cast<std::int64_t>(bucket_bytes / sizeof(float)));
  std::vector<std::int64_t> sizes;
  for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
    Slot slot;
    slot.parameter = it->second;
    const std::int64_t numel = slot.parameter.numel();
    if (buckets_.empty() || (sizes.back() > 0 && sizes.back() + numel > bucket_floats)) {
      buckets_.push_back(std::make_unique<Bucket>());
      sizes.push_back(0);
    }
    slot.bucket = buckets_.size() - 1;
    slot.offset = sizes.back();
    sizes.back() += numel;
    buckets_.back()->slots.push_back(slots_.size());
    slots_.push_back(std::move(slot));
  }
  for (std::size_t b = 0; b < buckets_.size(); ++b) buckets_[b]->flat = torch::zeros({sizes[b]}, torch::kFloat32);
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    hook_handles_.push_back(slots_[s].parameter.register_hook([this, s](const torch::Tensor& grad) { on_gradient(s, grad); }));
  }
}

GradientAverager::~GradientAverager() {
  for (std::size_t s = 0; s < slots_.size(); ++s) slots_[s].parameter.remove_hook(hook_handles_[s]);
}

void GradientAverager::begin_step() {
  for (auto& slot : slots_) slot.filled = false;
  for (auto& bucket : buckets_) {
    if (bucket->request.pending()) throw std::logic_error("GradientAverager: begin_step before finish_step");
    bucket->missing = bucket->slots.size();
    bucket->started = false;
  }
  next_to_start_ = 0;
}

void GradientAverager::on_gradient(std::size_t index, const torch::Tensor& grad) {
  Slot& slot = slots_[index];
  Bucket& bucket = *buckets_[slot.bucket];
  if (slot.filled || bucket.started) throw std::logic_error("GradientAverager: a gradient arrived twice in one step");
  bucket.flat.slice(0, slot.offset, slot.offset + grad.numel()).copy_(grad.detach().reshape({-1}));
  slot.filled = true;
  --bucket.missing;
  if (std::this_thread::get_id() != mpi_thread_) return;  // see the header: FUNNELED
  start_ready_buckets();
  progress();
}

void GradientAverager::start_bucket(Bucket& bucket) {
  bucket.request.start_sum(bucket.flat.data_ptr<float>(), static_cast<std::size_t>(bucket.flat.numel()), comm_.handle());
  bucket.started = true;
}

void GradientAverager::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() && buckets_[next_to_start_]->missing == 0) start_bucket(*buckets_[next_to_start_++]);
}

void GradientAverager::progress() {
  for (std::size_t b = 0; b < next_to_start_; ++b) buckets_[b]->request.test();
}

void GradientAverager::finish_step() {
  // A parameter the graph did not reach has no gradient this step: it contributes zeros (the same
  // on every rank, since every rank runs the same graph).
  for (auto& slot : slots_) {
    if (slot.filled) continue;
    buckets_[slot.bucket]->flat.slice(0, slot.offset, slot.offset + slot.parameter.numel()).zero_();
    slot.filled = true;
    --buckets_[slot.bucket]->missing;
  }
  start_ready_buckets();
  const auto waiting = std::chrono::steady_clock::now();
  for (auto& bucket : buckets_) bucket->request.wait();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - waiting).count();

  const double world = static_cast<double>(comm_.size());
  for (auto& bucket : buckets_) bucket->flat.div_(world);
  for (auto& slot : slots_) {
    const auto averaged = buckets_[slot.bucket]->flat.slice(0, slot.offset, slot.offset + slot.parameter.numel());
    auto& grad = slot.parameter.mutable_grad();
    if (!grad.defined()) grad = torch::zeros_like(slot.parameter);
    torch::NoGradGuard no_grad;
    grad.copy_(averaged.view(slot.parameter.sizes()));
  }
}

}  // namespace medanon::mae
