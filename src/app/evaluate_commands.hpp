#pragma once
// The evaluations under `medanon evaluate`, one file each.
#include "app/command.hpp"

namespace medanon::app {

Command setup_evaluate_text(CLI::App& evaluate);  // evaluate_text.cpp (issue #4)
Command setup_evaluate_fo(CLI::App& evaluate);    // evaluate_fo.cpp (issue #5)
Command setup_evaluate_run(CLI::App& evaluate);   // evaluate_run.cpp (issue #6: a whole anonymize run)

}  // namespace medanon::app
