// compose_text_lines: what an image's overlay says, before anything is drawn.

#include <algorithm>
#include <cctype>
#include <sstream>

#include "synth/burned_text.hpp"

namespace medanon::synth {
namespace {

// Hershey fonts only have ASCII; like most modalities' overlays, accented letters lose their
// accents (MUÑOZ -> MUNOZ) and anything else unprintable is dropped.
std::string ascii_fold(const std::string& text) {
  static const char* const kLatin1 =  // U+00C0 .. U+00FF
      "AAAAAAACEEEEIIII"
      "DNOOOOOxOUUUUYPs"
      "aaaaaaaceeeeiiii"
      "dnooooo/ouuuuypy";
  std::string folded;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      folded += static_cast<char>(byte);
    } else if ((byte == 0xC3) && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[++i]);
      if (next >= 0x80 && next <= 0xBF) folded += kLatin1[next - 0x80];
    }
  }
  return folded;
}

std::string title_case(const std::string& word) {
  std::string out = word;
  bool start = true;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(start ? std::toupper(u) : std::tolower(u));
    start = !std::isalpha(u);
  }
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

struct LineBuilder {
  TextLine line;
  explicit LineBuilder(std::string field) { line.field = std::move(field); }
  LineBuilder& label(const std::string& word) {
    if (!word.empty()) line.words.push_back(word), line.phi.push_back(false);
    return *this;
  }
  LineBuilder& value(const std::string& text, bool phi) {
    for (const auto& word : split_words(ascii_fold(text))) line.words.push_back(word), line.phi.push_back(phi);
    return *this;
  }
};

enum class DateStyle { slashes, iso, compact, dots, month_name };

// `date` is YYYYMMDD; anything else is shown as it is.
std::string format_date(const std::string& date, DateStyle style) {
  if (date.size() != 8) return date;
  static const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                        "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const std::string y = date.substr(0, 4), m = date.substr(4, 2), d = date.substr(6, 2);
  switch (style) {
    case DateStyle::slashes:
      return d + "/" + m + "/" + y;
    case DateStyle::iso:
      return y + "-" + m + "-" + d;
    case DateStyle::compact:
      return date;
    case DateStyle::dots:
      return d + "." + m + "." + y;
    case DateStyle::month_name: {
      const int month = std::clamp(std::atoi(m.c_str()), 1, 12);
      return d + "-" + kMonths[month - 1] + "-" + y;
    }
  }
  return date;
}

std::string patient_name(const PatientIdentity& patient, Rng& rng) {
  const double style = rng.uniform();
  std::string name = style < 0.4   ? patient.family_name + ", " + patient.given_name
                     : style < 0.7 ? patient.given_name + " " + patient.family_name
                     : style < 0.9 ? patient.family_name + "^" + patient.given_name
                                   : patient.family_name + " " + patient.given_name;
  if (rng.bernoulli(0.15)) {
    std::string titled;
    for (const auto& word : split_words(name)) titled += (titled.empty() ? "" : " ") + title_case(word);
    name = titled;
  }
  return name;
}

std::string one_decimal(double value) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << value;
  return out.str();
}

void add_phi_lines(std::vector<TextLine>& lines, const PatientIdentity& patient, const StudyIdentity& study, Rng& rng) {
  const std::vector<DateStyle> date_styles = {DateStyle::slashes, DateStyle::iso, DateStyle::compact, DateStyle::dots,
                                              DateStyle::month_name};
  // One overlay uses one date style throughout, as a real one would.
  const DateStyle dates = rng.pick(date_styles);
  const size_t first = lines.size();
  if (rng.bernoulli(0.7) && !patient.family_name.empty()) {
    lines.push_back(
        LineBuilder("PatientName")
            .label(rng.bernoulli(0.15) ? rng.pick(std::vector<std::string>{"Name:", "PATIENT:", "Pt:"}) : "")
            .value(patient_name(patient, rng), true)
            .line);
  }
  if (rng.bernoulli(0.6) && !patient.patient_id.empty()) {
    const std::vector<std::string> labels = {"ID:", "MRN", "PID:", "NHC", "ID", ""};
    lines.push_back(LineBuilder("PatientID").label(rng.pick(labels)).value(patient.patient_id, true).line);
  }
  if (rng.bernoulli(0.45) && !patient.birth_date.empty()) {
    const std::vector<std::string> labels = {"DOB:", "DOB", "F.NAC:", "Born", ""};
    lines.push_back(
        LineBuilder("BirthDate").label(rng.pick(labels)).value(format_date(patient.birth_date, dates), true).line);
  }
  if (rng.bernoulli(0.5) && !study.study_date.empty()) {
    const std::vector<std::string> labels = {"DATE:", "Study:", "FECHA:", ""};
    lines.push_back(
        LineBuilder("StudyDate").label(rng.pick(labels)).value(format_date(study.study_date, dates), true).line);
  }
  if (rng.bernoulli(0.3) && !study.accession_number.empty()) {
    const std::vector<std::string> labels = {"ACC", "ACC:", "Acc#", "ACCESSION"};
    lines.push_back(LineBuilder("AccessionNumber").label(rng.pick(labels)).value(study.accession_number, true).line);
  }
  if (rng.bernoulli(0.35) && !study.institution.empty()) {
    std::string institution = study.institution;
    if (rng.bernoulli(0.6)) {
      for (char& c : institution) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    lines.push_back(LineBuilder("InstitutionName").value(institution, true).line);
  }
  // A PHI overlay has at least the name or the ID.
  if (lines.size() == first && !patient.patient_id.empty()) {
    lines.push_back(LineBuilder("PatientID").label("ID:").value(patient.patient_id, true).line);
  }
}

void add_marker_lines(std::vector<TextLine>& lines, const ImagePlan& plan, bool at_least_one, Rng& rng) {
  const std::string projection = plan.projection.empty() ? "PA" : plan.projection;
  const bool ap = projection == "AP";
  const size_t first = lines.size();
  if (rng.bernoulli(0.7)) lines.push_back(LineBuilder("Marker").label(rng.bernoulli(0.6) ? "L" : "R").line);
  if (rng.bernoulli(0.45)) lines.push_back(LineBuilder("Marker").label(projection).line);
  if (rng.bernoulli(ap ? 0.5 : 0.03)) lines.push_back(LineBuilder("Marker").label("PORTABLE").line);
  if (ap && rng.bernoulli(0.15)) {
    lines.push_back(
        LineBuilder("Marker").label(rng.pick(std::vector<std::string>{"SUPINE", "ERECT", "SEMI-ERECT"})).line);
  }
  if (rng.bernoulli(0.4)) {
    // Portable films are taken at lower kV than the 110-125 kV of a PA chest stand.
    const int kv = ap ? rng.uniform_int(70, 100) : rng.uniform_int(100, 125);
    const std::string mas = one_decimal(rng.uniform(0.8, 6.0));
    const std::string kv_label = rng.pick(std::vector<std::string>{"KV", "kV", "KVP"});
    if (rng.bernoulli(0.5)) {
      lines.push_back(LineBuilder("Technique").label(kv_label).label(std::to_string(kv)).label("mAs").label(mas).line);
    } else {
      lines.push_back(LineBuilder("Technique").label(kv_label).label(std::to_string(kv)).line);
      lines.push_back(LineBuilder("Technique").label("mAs").label(mas).line);
    }
  }
  if (at_least_one && lines.size() == first) lines.push_back(LineBuilder("Marker").label(ap ? "AP" : "L").line);
}

}  // namespace

std::vector<TextLine> compose_text_lines(const PatientIdentity& patient, const StudyIdentity& study,
                                         const ImagePlan& plan, Rng& rng) {
  std::vector<TextLine> lines;
  const double kind = rng.uniform();
  if (kind < 0.1) return lines;  // a clean film: no overlay at all
  const bool markers_only = kind < 0.3;
  if (!markers_only) add_phi_lines(lines, patient, study, rng);
  add_marker_lines(lines, plan, markers_only, rng);
  return lines;
}

}  // namespace medanon::synth
