package cli

import "context"

func runDemo(ctx context.Context, io IO, args []string) int     { return fail(io, "not yet") }
func runSend(ctx context.Context, io IO, args []string) int     { return fail(io, "not yet") }
func runDLQ(ctx context.Context, io IO, args []string) int      { return fail(io, "not yet") }
func runValidate(ctx context.Context, io IO, args []string) int { return fail(io, "not yet") }
