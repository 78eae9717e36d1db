package bench

import "strings"

// PayloadSize is the size, in bytes, of the message every benchmarked request carries.
const PayloadSize = 100

// Payload is the message every benchmarked request carries, the same for every configuration.
var Payload = strings.Repeat("0123456789", PayloadSize/10)
