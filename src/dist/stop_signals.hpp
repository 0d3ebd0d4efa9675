#pragma once
// SIGUSR1 / SIGTERM as a request to stop at the next safe point (Slurm's `--signal=B:USR1@s`
// forwarded by slurm/*.sbatch, `scancel --signal`, `kill -USR1 <mpirun>`: Open MPI's mpirun
// forwards SIGUSR1 to every rank). Only a flag is set in the handler; the job decides
// collectively when to act on it (one rank may get the signal a step later than another).

namespace medanon::dist {

// Installs the handlers on construction and restores the previous ones on destruction.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const;
};

}  // namespace medanon::dist
