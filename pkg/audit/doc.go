// Package audit is revoke's observability: the JSON logger every function
// uses, one audit line per target outcome, and CloudWatch Embedded Metric
// Format counts. Nothing that passes through it may carry a credential or
// an unredacted provider URL; callers hand it redacted values only.
package audit
