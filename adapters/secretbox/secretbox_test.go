package secretbox_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dompet/wallet/adapters/secretbox"
)

func TestBox(t *testing.T) {
	t.Parallel()
	k := secretbox.MasterKey(bytes.Repeat([]byte{7}, 32))
	b, err := secretbox.New(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal([]byte("partner secret"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("partner secret")) {
		t.Fatal("sealed text contains the plain text")
	}
	plain, err := b.Open(sealed)
	if err != nil || string(plain) != "partner secret" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	other, _ := secretbox.New(secretbox.MasterKey(bytes.Repeat([]byte{8}, 32)))
	sealed2, _ := b.Seal([]byte("x"))
	if _, err := other.Open(sealed2); err == nil {
		t.Fatal("opened under another key")
	}
	if _, err := b.Open([]byte("short")); err == nil {
		t.Fatal("short ciphertext opened")
	}
}

func TestLoadMasterKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := secretbox.LoadMasterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := secretbox.LoadMasterKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load differs: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	if _, err := secretbox.LoadMasterKey("not-base64!", dir); err == nil {
		t.Fatal("bad env key accepted")
	}
	if _, err := secretbox.LoadMasterKey("c2hvcnQ=", dir); err == nil {
		t.Fatal("short env key accepted")
	}
}
