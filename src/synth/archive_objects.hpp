#pragma once
// The rest of a hospital archive, for the planted-PHI proof of issue #14: beside each synthetic
// CR/DX file, one object of another kind made from the same radiograph and patient, carrying
// the patient's identity where real archives hide it:
//
//   kind           SOP class                    pixels                          character set
//   ct-signed      CT Image                     signed 16-bit, native           ISO_IR 100 (Latin-1 name)
//   mr-j2k         MR Image                     12-bit, JPEG 2000 lossless      ISO_IR 192 (UTF-8 name)
//   us-multiframe  US Multi-frame Image         RGB, 4 frames, native           ISO_IR 100 (Latin-1 name)
//   sr-text        Comprehensive SR             none (TEXT/PNAME/DATE items)    ISO_IR 192 (UTF-8 name)
//   ct-j2k-signed  CT Image                     signed 16-bit, JPEG 2000        none (ASCII name)
//
// Every one holds free text with the name and birth date in other written forms (title and
// lower case, "FAMILY, Given", dd/mm/yyyy, dd.mm.yyyy, yyyy-mm-dd, "March 2, 1950", "2 Mar 1950"),
// in public LT attributes, a private LT/LO block and (SR) nested content items. The non-ASCII
// names are the patient's names with one vowel accented (GARCÍA, JOSÉ), so a de-identifier that
// folds case in ASCII only misses "García" next to "GARCÍA".

#include <string>

#include "synth/corpus_plan.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

// The kind written beside image `image` (by its index, so every kind appears in a corpus of 5+).
const char* archive_object_kind(const ImagePlan& image);

// Writes the object for `image` under <root>/archive_objects/ and returns its truth as JSON
// text: path, kind, charset, and the patient's identifying values as written (UTF-8), for a
// scanner that derives their written forms itself. Throws InternalError when DCMTK fails.
std::string write_archive_object(const CorpusPlan& plan, const ImagePlan& image, const RenderedImage& rendered,
                                 const std::string& root);

}  // namespace medanon::synth
