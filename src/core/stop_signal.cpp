#include "core/stop_signal.hpp"

#include <csignal>

namespace medanon {
namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_accepting = 0;
// A signal that came before accept_stop_requests(): the job honours it as soon as it accepts.
volatile std::sig_atomic_t g_pending = 0;

extern "C" void on_stop_signal(int signal_number) {
  if (g_accepting) {
    g_stop = 1;
  } else if (signal_number == SIGUSR1) {
    g_pending = 1;  // start-up (MPI_Init, parsing): remember it, the job will stop at once
  } else {
    std::signal(signal_number, SIG_DFL);  // async-signal-safe: end as if no handler existed
    std::raise(signal_number);
  }
}

}  // namespace

void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // blocking reads and MPI progress calls are not cut short
  sigaction(SIGUSR1, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void accept_stop_requests() {
  g_accepting = 1;
  if (g_pending) g_stop = 1;
}

bool stop_requested() { return g_stop != 0; }

void request_stop() { g_stop = 1; }

}  // namespace medanon
