#include "deid/dcmtk_settings.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcvr.h>
#include <dcmtk/oflog/oflog.h>

namespace medanon::deid {

void configure_dcmtk_for_untrusted_input() {
  dcmEnableUnknownVRConversion.set(OFTrue);
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
}

}  // namespace medanon::deid
