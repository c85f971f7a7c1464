/* vm_sv48.S: Sv48 address translation in S and U mode: pages of every
 * size, aliases, R/W/X/U permissions with SUM and MXR, invalid and
 * misaligned PTEs, non-canonical addresses, hardware A/D updates,
 * instruction fetch across a page boundary, sfence.vma and ASIDs.
 * The program body is in vm.h (shared with the other vm_*.S).
 *
 * UART output: the causes of the page faults, A/D-updated PTEs, and the
 * cause/tval/epc of the page-crossing fetch fault.
 */
#include "../common.h"
#include "priv.h"
#define LEVELS 4
#include "vm.h"

    VM_BODY
