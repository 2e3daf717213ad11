package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	designRef     = regexp.MustCompile(`docs/design\.md §([0-9]+[a-z]?)`)
	designSection = regexp.MustCompile(`(?m)^## ([0-9]+[a-z]?)\. `)
	outsideRef    = regexp.MustCompile(`\bDESIGN\.md\b|\.\./shared/`)
)

// TestDocReferences: every "docs/design.md §n" a source file cites is a
// section of docs/design.md, and no source cites a file outside the
// repository (DESIGN.md, ../shared): a clone can follow every reference.
func TestDocReferences(t *testing.T) {
	design, err := os.ReadFile("../../docs/design.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range designSection.FindAllStringSubmatch(string(design), -1) {
		sections[m[1]] = true
	}
	refs := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "build" || name == ".aws-sam" || name == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".py") && !strings.HasSuffix(path, ".yaml") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range designRef.FindAllStringSubmatch(string(src), -1) {
			refs++
			if !sections[m[1]] {
				t.Errorf("%s cites docs/design.md §%s, which has no such section", path, m[1])
			}
		}
		if outsideRef.Match(src) && !strings.HasSuffix(path, "docrefs_test.go") {
			t.Errorf("%s cites a file outside the repository", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if refs == 0 || len(sections) == 0 {
		t.Fatalf("%d references, %d sections: the patterns no longer match", refs, len(sections))
	}
}
