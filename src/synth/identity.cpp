#include "synth/identity.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "synth/corpus_plan.hpp"

namespace medanon::synth {
namespace {

// PadChest comes from a Spanish hospital; hospital archives elsewhere mix origins.
const std::vector<std::string> kFamilyNames = {
    "GARCIA", "MARTINEZ", "LOPEZ", "SANCHEZ", "PEREZ", "GOMEZ", "FERNANDEZ", "RUIZ", "DIAZ", "MORENO",
    "ALVAREZ", "ROMERO", "NAVARRO", "TORRES", "DOMINGUEZ", "VAZQUEZ", "RAMOS", "GIL", "SERRANO", "BLANCO",
    "MOLINA", "ORTEGA", "DELGADO", "CASTRO", "ORTIZ", "RUBIO", "MARIN", "SANZ", "IGLESIAS", "MEDINA",
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "MILLER", "WILSON", "ANDERSON", "THOMPSON", "NGUYEN", "KOWALSKI",
    "MUELLER", "SCHMIDT", "ROSSI", "BIANCHI", "DUBOIS", "MOREAU", "OKAFOR", "HASSAN", "TANAKA", "KIM"};
const std::vector<std::string> kGivenFemale = {
    "MARIA", "CARMEN", "ANA", "ISABEL", "LAURA", "LUCIA", "ELENA", "PILAR", "ROSA", "TERESA",
    "SARAH", "EMILY", "ANNA", "SOPHIE", "CHIARA", "AMINA", "YUKI", "GRACE", "HELEN", "MARTA"};
const std::vector<std::string> kGivenMale = {
    "ANTONIO", "JOSE", "MANUEL", "FRANCISCO", "JUAN", "DAVID", "JAVIER", "CARLOS", "MIGUEL", "RAFAEL",
    "JAMES", "JOHN", "ROBERT", "THOMAS", "PETER", "LUCA", "PIERRE", "AHMED", "KENJI", "OLIVER"};
const std::vector<std::string> kStreets = {"CALLE MAYOR", "AVENIDA DEL PUERTO", "CALLE SAN VICENTE",
                                           "ELM STREET", "HIGH STREET", "RUE DES LILAS", "PASEO DE LA CASTELLANA"};
const std::vector<std::string> kCities = {"ALICANTE", "VALENCIA", "MADRID", "SPRINGFIELD", "LYON", "MILANO"};
const std::vector<std::string> kInstitutions = {
    "HOSPITAL GENERAL SANTA LUCIA", "CLINICA DEL NORTE", "ST MARY MEDICAL CENTER", "HOSPITAL SAN RAFAEL",
    "RIVERSIDE COMMUNITY HOSPITAL", "CENTRO MEDICO LEVANTE", "UNIVERSITY CLINIC EAST"};
const std::vector<std::string> kManufacturers = {"Philips Medical Systems", "Carestream Health", "Agfa",
                                                 "SIEMENS", "FUJIFILM Corporation", "GE Healthcare"};
const std::vector<std::string> kModels = {"DigitalDiagnost", "DRX-Evolution", "DX-D 600", "Ysio Max",
                                          "FCR Profect", "Discovery XR656"};
const std::vector<std::string> kDescriptions = {"TORAX PA Y LAT", "CHEST 2 VIEWS", "RX TORAX PORTATIL",
                                                "CHEST PA", "CONTROL MARCAPASOS", "PREOPERATIVE CHEST"};

std::string digits(Rng& rng, int count) {
  std::string out;
  out.push_back(static_cast<char>('1' + rng.uniform_int(0, 8)));  // no leading zero
  for (int i = 1; i < count; ++i) out.push_back(static_cast<char>('0' + rng.uniform_int(0, 9)));
  return out;
}

std::string hex(Rng& rng, int count) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < count; ++i) out.push_back(kHex[rng.uniform_int(0, 15)]);
  return out;
}

std::string date(int year, int month, int day) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", year, month, day);
  return buffer;
}

std::string time_of_day(Rng& rng) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d%02d%02d", rng.uniform_int(7, 21), rng.uniform_int(0, 59),
                rng.uniform_int(0, 59));
  return buffer;
}

std::string person(Rng& rng) {
  const bool female = rng.bernoulli(0.5);
  return rng.pick(kFamilyNames) + "^" + rng.pick(female ? kGivenFemale : kGivenMale);
}

}  // namespace

PatientIdentity make_patient(int ordinal, Rng& rng) {
  PatientIdentity p;
  char key[16];
  std::snprintf(key, sizeof key, "P%04d", ordinal);
  p.key = key;
  p.sex = rng.bernoulli(0.5) ? 'F' : 'M';
  p.family_name = rng.pick(kFamilyNames);
  p.given_name = rng.pick(p.sex == 'F' ? kGivenFemale : kGivenMale);
  // Record numbers embed the ordinal so no two patients share one.
  char mrn[32];
  std::snprintf(mrn, sizeof mrn, "%s%04d", digits(rng, 4).c_str(), ordinal % 10000);
  p.patient_id = mrn;
  p.padchest_id = hex(rng, 32);
  p.birth_date = date(rng.uniform_int(1925, 1995), rng.uniform_int(1, 12), rng.uniform_int(1, 28));
  p.other_patient_id = "X" + digits(rng, 7);
  p.address = std::to_string(rng.uniform_int(1, 199)) + " " + rng.pick(kStreets) + ", " + rng.pick(kCities);
  p.phone = "+34 6" + digits(rng, 2) + " " + digits(rng, 3) + " " + digits(rng, 3);
  return p;
}

StudyIdentity make_study(int patient_index, const PatientIdentity& patient, int ordinal, Rng& rng) {
  StudyIdentity s;
  s.patient = patient_index;
  const int birth_year = std::stoi(patient.birth_date.substr(0, 4));
  const int year = rng.uniform_int(std::max(2009, birth_year + 18), 2017);
  s.study_date = date(year, rng.uniform_int(1, 12), rng.uniform_int(1, 28));
  s.study_time = time_of_day(rng);
  s.patient_age_years = year - birth_year;
  s.study_instance_uid = random_uid(rng);
  char accession[32];
  std::snprintf(accession, sizeof accession, "%s%05d", digits(rng, 5).c_str(), ordinal % 100000);
  s.accession_number = accession;
  s.study_id = digits(rng, 6);
  s.description = rng.pick(kDescriptions);
  s.referring_physician = person(rng);
  s.performing_physician = person(rng);
  s.operator_name = person(rng);
  s.institution = rng.pick(kInstitutions);
  s.institution_address = std::to_string(rng.uniform_int(1, 99)) + " " + rng.pick(kStreets) + ", " + rng.pick(kCities);
  s.station_name = "RX" + digits(rng, 2) + "-" + hex(rng, 4);
  s.device_serial = "SN" + digits(rng, 8);
  const int vendor = rng.uniform_int(0, static_cast<int>(kManufacturers.size()) - 1);
  s.manufacturer = kManufacturers[static_cast<size_t>(vendor)];
  s.model_name = kModels[static_cast<size_t>(vendor)];
  return s;
}

}  // namespace medanon::synth
