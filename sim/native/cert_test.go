//go:build !js

package native

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The certificate is made once, kept and reused; a new host name makes a new one.
func TestCertificateKeptInDataFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "tls")
	c1, created, err := Certificate(dir, "mail.example.com")
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}
	leaf, err := x509.ParseCertificate(c1.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("key %T, want ECDSA", leaf.PublicKey)
	}
	for _, name := range []string{"localhost", "mail.example.com"} {
		if !slices.Contains(leaf.DNSNames, name) {
			t.Errorf("no SAN %s in %v", name, leaf.DNSNames)
		}
	}
	if len(leaf.IPAddresses) != 2 {
		t.Errorf("IP SANs %v, want 127.0.0.1 and ::1", leaf.IPAddresses)
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi.Mode(), err)
	}
	c2, created, err := Certificate(dir, "mail.example.com")
	if err != nil || created || !bytes.Equal(c1.Certificate[0], c2.Certificate[0]) {
		t.Errorf("second start: created %v, same %v, %v", created, bytes.Equal(c1.Certificate[0], c2.Certificate[0]), err)
	}
	if _, created, _ := Certificate(dir, "mx.other.example"); !created {
		t.Error("a new host name did not make a new certificate")
	}
}
