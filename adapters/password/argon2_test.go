package password

import (
	"strings"
	"testing"
)

func TestArgon2id(t *testing.T) {
	t.Parallel()
	h := NewArgon2id()
	enc, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=65536,t=2,p=2$") || strings.Contains(enc, "correct horse") {
		t.Fatalf("hash %q", enc)
	}
	again, _ := h.Hash("correct horse")
	if again == enc {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	cases := []struct {
		name, enc, pw string
		want          bool
	}{
		{"right password", enc, "correct horse", true},
		{"wrong password", enc, "correct horsE", false},
		{"empty password", enc, "", false},
		{"garbage hash", "not-a-hash", "correct horse", false},
		{"other algorithm", strings.Replace(enc, "argon2id", "argon2i", 1), "correct horse", false},
		{"absurd memory", strings.Replace(enc, "m=65536", "m=99999999", 1), "correct horse", false},
		{"truncated", enc[:len(enc)-10], "correct horse", false},
	}
	for _, c := range cases {
		if got := h.Verify(c.enc, c.pw); got != c.want {
			t.Errorf("%s: Verify = %v, want %v", c.name, got, c.want)
		}
	}
}
