/* A small libnfc initiator for the tests: select one ISO/IEC 14443-4 type A target, then
 * send each command APDU read from stdin (one hex line) and print the response APDU.
 *
 *   stdout: "TARGET <uid hex> <ats hex>" once, then "R <response hex>" or "E <libnfc error>"
 *           per command; "NOTARGET" when nothing answers.
 *
 * The device is libnfc's default one (LIBNFC_DEVICE / LIBNFC_DEFAULT_DEVICE). Exchanges go
 * through nfc_initiator_transceive_bytes, i.e. the PN532's InDataExchange. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nfc/nfc.h>

static void print_hex(const uint8_t *data, size_t len)
{
  for (size_t i = 0; i < len; i++)
    printf("%02x", data[i]);
}

static size_t parse_hex(const char *line, uint8_t *out, size_t max)
{
  size_t n = 0;
  unsigned int byte;
  while (n < max && sscanf(line + 2 * n, "%2x", &byte) == 1)
    out[n++] = (uint8_t) byte;
  return n;
}

int main(void)
{
  nfc_context *context;
  nfc_init(&context);
  if (context == NULL)
    return 2;
  nfc_device *pnd = nfc_open(context, NULL);
  if (pnd == NULL) {
    printf("E open\n");
    nfc_exit(context);
    return 2;
  }
  if (nfc_initiator_init(pnd) < 0 || nfc_device_set_property_bool(pnd, NP_INFINITE_SELECT, false) < 0) {
    printf("E init %s\n", nfc_strerror(pnd));
    nfc_close(pnd);
    nfc_exit(context);
    return 2;
  }
  const nfc_modulation nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };
  nfc_target nt;
  if (nfc_initiator_select_passive_target(pnd, nm, NULL, 0, &nt) <= 0) {
    printf("NOTARGET\n");
    nfc_close(pnd);
    nfc_exit(context);
    return 1;
  }
  printf("TARGET ");
  print_hex(nt.nti.nai.abtUid, nt.nti.nai.szUidLen);
  printf(" ");
  print_hex(nt.nti.nai.abtAts, nt.nti.nai.szAtsLen);
  printf("\n");
  fflush(stdout);

  char line[1200];
  uint8_t command[512], response[512];
  while (fgets(line, sizeof(line), stdin) != NULL) {
    size_t n = parse_hex(line, command, sizeof(command));
    if (n == 0)
      break;
    int res = nfc_initiator_transceive_bytes(pnd, command, n, response, sizeof(response), 2000);
    if (res < 0) {
      printf("E %s\n", nfc_strerror(pnd));
    } else {
      printf("R ");
      print_hex(response, (size_t) res);
      printf("\n");
    }
    fflush(stdout);
  }
  nfc_close(pnd);
  nfc_exit(context);
  return 0;
}
