// Package soak holds the fault soak (`make soak`, and a short run inside
// `make test`): the whole pipeline on moto SQS and Secrets Manager with the
// real handlers and the simulators, under 5xx, 429 storms with and without
// Retry-After, hangs longer than the call timeout, dropped connections, a
// credential rotated mid-run and consumer invocations killed at random
// points. At the end every submitted target must be accounted for — done at
// its simulator or in the DLQ — and no secret may appear in any output.
package soak
