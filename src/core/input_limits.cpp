#include "core/input_limits.hpp"

#include <atomic>

namespace medanon::core {
namespace {
std::atomic<long long> g_max_image_pixels{kDefaultMaxImagePixels};
}

long long max_image_pixels() { return g_max_image_pixels.load(std::memory_order_relaxed); }
void set_max_image_pixels(long long pixels) { g_max_image_pixels.store(pixels, std::memory_order_relaxed); }

}  // namespace medanon::core
