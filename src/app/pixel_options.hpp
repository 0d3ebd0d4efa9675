#pragma once
// The pixel stages' options (issue #4) as command-line / config keys, shared by every
// subcommand that runs them (`evaluate text`, `inspect`, `anonymize`). Defaults and their
// meaning: configs/pixel.toml.

#include <CLI/CLI.hpp>

#include "pixel/pixel_pipeline.hpp"

namespace medanon::app {

// Registers the options on `command`; values land in `options` when CLI11 parses.
void add_pixel_options(CLI::App& command, pixel::PixelOptions& options);

}  // namespace medanon::app
