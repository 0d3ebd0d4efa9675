#include "input/codecs.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/dcmjpls/djencode.h>

#include <mutex>

namespace medanon::input {

void register_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Every codec is told never to mint a new SOP Instance UID: DCMTK's default does so for
    // lossy JPEG (and its UIDs come from the clock), which would break "same input => same
    // bytes" and the references between instances.
    DJEncoderRegistration::registerCodecs(ECC_lossyYCbCr, EUC_never);
    // EDC_photometricInterpretation: YBR JPEG is converted to RGB when decoded, and the
    // decoded representation says RGB.
    DJDecoderRegistration::registerCodecs(EDC_photometricInterpretation, EUC_never);
    // The raw JPEG-LS encoder, not the default "cooked" one: DCMTK 3.6.7's cooked path pads an
    // odd-length bitstream in the wrong buffer, leaving one uninitialised byte after the EOI
    // marker (DCMTK commit 7696450b, fixed in 3.7.0), so files would differ run to run.
    DJLSEncoderRegistration::registerCodecs(0, 0, 0, 0, /*preferCookedEncoding=*/OFFalse,
                                            /*fragmentSize=*/0, /*createOffsetTable=*/OFTrue, EJLSUC_never);
    DJLSDecoderRegistration::registerCodecs(EJLSUC_never);
    DcmRLEEncoderRegistration::registerCodecs(/*pCreateSOPInstanceUID=*/OFFalse);
    DcmRLEDecoderRegistration::registerCodecs(/*pCreateSOPInstanceUID=*/OFFalse);
  });
}

}  // namespace medanon::input
