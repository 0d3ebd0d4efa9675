#pragma once
// DCMTK's process-wide switches, set once for input that nobody vouches for (docs/security.md):
// - values written with VR UN are read with the dictionary's VR (PS3.5 6.2.2), so that a
//   StudyDate stored as UN is shifted like any other date and a sequence stored as UN is
//   cleaned inside, instead of both passing through as opaque bytes;
// - DCMTK's own log only reports fatal errors: its warnings quote element values, and a job
//   log (Slurm's) is no place for a header's contents.

namespace medanon::deid {

// Idempotent; called by main() before any input is read, and by FileDeidentifier.
void configure_dcmtk_for_untrusted_input();

}  // namespace medanon::deid
