#pragma once
// DCMTK's codecs, registered once per process with one set of settings for every reader and
// writer of the program (header stage, pixel stage, MAE input, synth).

namespace medanon::input {

// JPEG (baseline, extended, lossless), JPEG-LS and RLE encoders and decoders. Idempotent and
// thread-safe. JPEG 2000 is not a DCMTK codec here: see input/jpeg2000.hpp.
void register_codecs();

}  // namespace medanon::input
