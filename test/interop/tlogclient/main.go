// An independent client of sealtrail's transparency-log formats, written against the Go
// checksum database's own packages (golang.org/x/mod/sumdb/note and sumdb/tlog), not against
// sealtrail's code. The tests build it offline and run it:
//
//	tlogclient verify-tiles PREFIX LOG_VKEY [COSIGNER_VKEY]
//	    fetches PREFIX/checkpoint (C2SP tlog-checkpoint in a signed note), verifies it, then
//	    recomputes the root from the C2SP tlog-tiles tiles and every leaf hash from the entry
//	    bundles; with COSIGNER_VKEY also checks its C2SP tlog-cosignature line.
//	tlogclient genkey NAME
//	    prints a note signer key and its verifier key.
//	tlogclient witness-submit SKEY ORIGIN WITNESS_URL COSIGNER_VKEY N1 N2
//	    builds a log of N2 records in memory, signs checkpoints of N1 and N2 records, and
//	    submits both to a C2SP tlog-witness with a consistency proof, checking its cosignatures.
//	tlogclient sign SKEY ORIGIN N
//	    prints the signed checkpoint of the in-memory log of N records.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func get(url string) []byte {
	res, err := http.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		fail("GET %s: %d %s", url, res.StatusCode, body)
	}
	return body
}

// indexPath encodes a tile index as C2SP tlog-tiles asks: 3-digit groups, all but the last prefixed with x.
func indexPath(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

func tilePath(level string, n int64, w int) string {
	p := "tile/" + level + "/" + indexPath(n)
	if w < 256 {
		p += ".p/" + strconv.Itoa(w)
	}
	return p
}

type tileReader struct{ prefix string }

func (r tileReader) Height() int { return 8 }
func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		out[i] = get(r.prefix + "/" + tilePath(strconv.Itoa(t.L), t.N, t.W))
	}
	return out, nil
}
func (r tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// checkpoint parses the three lines of a C2SP tlog-checkpoint body.
func checkpoint(text string) (string, tlog.Tree) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		fail("checkpoint: too few lines")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		fail("checkpoint root: %v", err)
	}
	var h tlog.Hash
	copy(h[:], root)
	return lines[0], tlog.Tree{N: n, Hash: h}
}

type cosigner struct {
	name string
	id   []byte
	key  ed25519.PublicKey
}

// parseCosigner reads a C2SP tlog-cosignature vkey (type 0x04) and checks its key ID.
func parseCosigner(vkey string) cosigner {
	parts := strings.SplitN(vkey, "+", 3)
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if len(parts) != 3 || err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("cosigner vkey: malformed")
	}
	sum := sha256.Sum256(append([]byte(parts[0]+"\n\x04"), raw[1:]...))
	if hex.EncodeToString(sum[:4]) != parts[1] {
		fail("cosigner vkey: key ID mismatch")
	}
	return cosigner{parts[0], sum[:4], ed25519.PublicKey(raw[1:])}
}

// cosignedAt returns the timestamp of a valid cosignature/v1 line of c on the note, or -1.
func cosignedAt(msg []byte, c cosigner) int64 {
	text := string(msg[:bytes.LastIndex(msg, []byte("\n\n"))+1])
	for _, line := range strings.Split(string(msg[len(text)+1:]), "\n") {
		prefix := "\u2014 " + c.name + " "
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(line[len(prefix):])
		if err != nil || len(raw) != 4+8+64 || !bytes.Equal(raw[:4], c.id) {
			continue
		}
		ts := binary.BigEndian.Uint64(raw[4:12])
		signed := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, text)
		if ed25519.Verify(c.key, []byte(signed), raw[12:]) {
			return int64(ts)
		}
	}
	return -1
}

func verifyTiles(prefix, logVkey, cosignerVkey string) {
	msg := get(prefix + "/checkpoint")
	verifier, err := note.NewVerifier(logVkey)
	if err != nil {
		fail("log vkey: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint note: %v", err)
	}
	origin, tree := checkpoint(n.Text)
	if origin != verifier.Name() {
		fail("origin %q is not the key name %q", origin, verifier.Name())
	}
	hr := tlog.TileHashReader(tree, tileReader{prefix})
	root, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if root != tree.Hash {
		fail("root from tiles %v, checkpoint says %v", root, tree.Hash)
	}
	// Every entry in the bundles hashes (RFC 6962 leaf hash) to its level 0 tile hash.
	checked := int64(0)
	for start := int64(0); start < tree.N; start += 256 {
		w := tree.N - start
		if w > 256 {
			w = 256
		}
		bundle := get(prefix + "/" + tilePath("entries", start/256, int(w)))
		indexes := make([]int64, 0, w)
		leaves := make([]tlog.Hash, 0, w)
		for at := 0; at < len(bundle); {
			size := int(binary.BigEndian.Uint16(bundle[at:]))
			leaves = append(leaves, tlog.RecordHash(bundle[at+2:at+2+size]))
			indexes = append(indexes, tlog.StoredHashIndex(0, start+int64(len(indexes))))
			at += 2 + size
		}
		if int64(len(leaves)) != w {
			fail("entry bundle %d: %d entries, want %d", start/256, len(leaves), w)
		}
		stored, err := hr.ReadHashes(indexes)
		if err != nil {
			fail("leaf hashes: %v", err)
		}
		for i := range leaves {
			if leaves[i] != stored[i] {
				fail("entry %d does not hash to its leaf", start+int64(i))
			}
		}
		checked += w
	}
	out := map[string]interface{}{"origin": origin, "size": tree.N, "root": base64.StdEncoding.EncodeToString(root[:]), "entries": checked}
	if cosignerVkey != "" {
		out["cosignedAt"] = cosignedAt(msg, parseCosigner(cosignerVkey))
	}
	enc, _ := json.Marshal(out)
	fmt.Println(string(enc))
}

// memoryLog is a log of n records "record <i>" in tlog's stored-hash layout.
type memoryLog struct{ hashes []tlog.Hash }

func (m *memoryLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func buildLog(n int64) *memoryLog {
	m := &memoryLog{}
	for i := int64(0); i < n; i++ {
		hs, err := tlog.StoredHashes(i, []byte(fmt.Sprintf("record %d", i)), m)
		if err != nil {
			fail("stored hashes: %v", err)
		}
		m.hashes = append(m.hashes, hs...)
	}
	return m
}

func signed(skey, origin string, m *memoryLog, n int64) []byte {
	signer, err := note.NewSigner(skey)
	if err != nil {
		fail("signer: %v", err)
	}
	root, err := tlog.TreeHash(n, m)
	if err != nil {
		fail("tree hash: %v", err)
	}
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, n, base64.StdEncoding.EncodeToString(root[:]))}, signer)
	if err != nil {
		fail("sign: %v", err)
	}
	return msg
}

func submit(url string, old int64, proof tlog.TreeProof, msg []byte) (int, []byte) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	for _, h := range proof {
		fmt.Fprintf(&body, "%s\n", base64.StdEncoding.EncodeToString(h[:]))
	}
	body.WriteString("\n")
	body.Write(msg)
	res, err := http.Post(url+"/add-checkpoint", "text/plain", &body)
	if err != nil {
		fail("POST: %v", err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func witnessSubmit(skey, origin, url, cosignerVkey string, n1, n2 int64) {
	c := parseCosigner(cosignerVkey)
	m := buildLog(n2)
	first := signed(skey, origin, m, n1)
	status1, cosig1 := submit(url, 0, nil, first)
	proof, err := tlog.ProveTree(n2, n1, m)
	if err != nil {
		fail("prove tree: %v", err)
	}
	second := signed(skey, origin, m, n2)
	status2, cosig2 := submit(url, n1, proof, second)
	// A rollback to the first checkpoint must be refused now.
	status3, body3 := submit(url, n1, nil, first)
	out := map[string]interface{}{
		"first": status1, "firstCosigned": status1 == 200 && cosignedAt(append(first, cosig1...), c) > 0,
		"second": status2, "secondCosigned": status2 == 200 && cosignedAt(append(second, cosig2...), c) > 0,
		"rollback": status3, "rollbackBody": string(body3),
	}
	enc, _ := json.Marshal(out)
	fmt.Println(string(enc))
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		fail("usage: tlogclient verify-tiles|genkey|sign|witness-submit ...")
	}
	switch args[0] {
	case "verify-tiles":
		cos := ""
		if len(args) > 3 {
			cos = args[3]
		}
		verifyTiles(args[1], args[2], cos)
	case "genkey":
		skey, vkey, err := note.GenerateKey(nil, args[1])
		if err != nil {
			fail("genkey: %v", err)
		}
		fmt.Println(skey)
		fmt.Println(vkey)
	case "sign":
		n, _ := strconv.ParseInt(args[3], 10, 64)
		os.Stdout.Write(signed(args[1], args[2], buildLog(n), n))
	case "witness-submit":
		n1, _ := strconv.ParseInt(args[5], 10, 64)
		n2, _ := strconv.ParseInt(args[6], 10, 64)
		witnessSubmit(args[1], args[2], args[3], args[4], n1, n2)
	default:
		fail("unknown command %s", args[0])
	}
}
