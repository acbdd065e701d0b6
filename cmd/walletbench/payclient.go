package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync/atomic"
	"time"
)

// payClient sends the measured payments. The load generator shares the
// machine's cores with the server and PostgreSQL, exactly as pgbench's C
// client shares them with PostgreSQL, so its CPU per payment is part of
// what the benchmark measures: it is kept as lean as a honest client can
// be. Each request is still a distinct, fully signed SPEC §4 request
// (fresh X-EXTERNAL-ID and orderId, its own timestamp and HMAC), and each
// answer is still checked (HTTP 200 and code 0). What it saves over
// net/http: no per-request goroutine hand-offs (net/http's transport
// reads and writes each connection in goroutines of its own), no header
// maps, no JSON decode of the answer, one write per request, buffers
// reused per connection, the HMAC key schedule computed once per partner
// and connection.
type payClient struct {
	addr string // host:port
	ids  *client
	idle chan *payConn
}

func newPayClient(addr string, ids *client, conns int) *payClient {
	// The open-loop phase may have more requests in flight than -concurrency.
	return &payClient{addr: addr, ids: ids, idle: make(chan *payConn, 4*conns)}
}

// payConn is one keep-alive HTTP/1.1 connection and its buffers.
type payConn struct {
	nc     net.Conn
	br     *bufio.Reader
	req    []byte
	body   []byte
	resp   []byte
	sts    []byte
	macs   map[string]hash.Hash // HMAC-SHA512 per partner secret
	id     [48]byte
	sig    [sha512.Size]byte
	hexsum [2 * sha256.Size]byte
}

func (p *payClient) get(ctx context.Context) (*payConn, error) {
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	return &payConn{nc: nc, br: bufio.NewReaderSize(nc, 4096), macs: map[string]hash.Hash{}}, nil
}

func (p *payClient) put(c *payConn) {
	select {
	case p.idle <- c:
	default:
		c.nc.Close()
	}
}

// closeIdle closes the kept connections (the server restarts).
func (p *payClient) closeIdle() {
	for {
		select {
		case c := <-p.idle:
			c.nc.Close()
		default:
			return
		}
	}
}

// wibClock formats X-TIMESTAMP once per second, not once per request.
type wibClock struct{ cur atomic.Pointer[stamp] }

type stamp struct {
	sec int64
	s   string
}

var clock wibClock

func (k *wibClock) now() string {
	sec := time.Now().Unix()
	if st := k.cur.Load(); st != nil && st.sec == sec {
		return st.s
	}
	st := &stamp{sec: sec, s: time.Unix(sec, 0).In(wib).Format(time.RFC3339)}
	k.cur.Store(st)
	return st.s
}

const payPath = "/wallet-payment/"

// payOp charges a random customer of set amount rupiah through the
// merchant it is bound to, with a fresh orderId and X-EXTERNAL-ID (the
// same value: both must be unique, neither need differ from the other).
func (p *payClient) payOp(set []customer, amount int64) op {
	return func(ctx context.Context, rng *rand.Rand) error {
		cu := set[rng.IntN(len(set))]
		c, err := p.get(ctx)
		if err != nil {
			return &callError{Err: err}
		}
		id := p.ids.appendID(c.id[:0])
		c.body = append(c.body[:0], `{"mobileNumber":"`...)
		c.body = append(c.body, cu.mobile...)
		c.body = append(c.body, `","amount":`...)
		c.body = strconv.AppendInt(c.body, amount, 10)
		c.body = append(c.body, `,"orderId":"`...)
		c.body = append(c.body, id...)
		c.body = append(c.body, `","description":"walletbench"}`...)
		c.request(cu.merchant, id)
		status, body, keep, err := c.roundTrip(ctx)
		if err != nil {
			c.nc.Close()
			return &callError{Err: err}
		}
		if keep {
			p.put(c)
		} else {
			defer c.nc.Close() // after the answer is checked: body lives in c
		}
		if code := answerCode(body); status != 200 || code != 0 {
			return &callError{Status: status, Code: code, Body: truncate(string(body), 300)}
		}
		return nil
	}
}

// request writes the whole signed request into c.req.
func (c *payConn) request(p *partnerCred, id []byte) {
	ts := clock.now()
	sum := sha256.Sum256(c.body)
	hex.Encode(c.hexsum[:], sum[:])
	mac := c.macs[p.ID]
	if mac == nil {
		mac = hmac.New(sha512.New, []byte(p.Secret))
		c.macs[p.ID] = mac
	}
	// StringToSign: METHOD:PATH:hex(sha256(body)):TIMESTAMP (SPEC §4).
	mac.Reset()
	c.sts = append(c.sts[:0], "POST:"+payPath+":"...)
	c.sts = append(c.sts, c.hexsum[:]...)
	c.sts = append(append(c.sts, ':'), ts...)
	mac.Write(c.sts)
	sig := mac.Sum(c.sig[:0])

	r := append(c.req[:0], "POST "+payPath+" HTTP/1.1\r\nHost: "...)
	r = append(r, "walletbench\r\nContent-Type: application/json\r\nContent-Length: "...)
	r = strconv.AppendInt(r, int64(len(c.body)), 10)
	r = append(r, "\r\nX-PARTNER-ID: "...)
	r = append(r, p.ID...)
	r = append(r, "\r\nX-TIMESTAMP: "...)
	r = append(r, ts...)
	r = append(r, "\r\nX-SIGNATURE: "...)
	r = base64.StdEncoding.AppendEncode(r, sig)
	r = append(r, "\r\nX-EXTERNAL-ID: "...)
	r = append(r, id...)
	r = append(r, "\r\n\r\n"...)
	c.req = append(r, c.body...)
}

var errBadAnswer = errors.New("malformed HTTP answer")

// roundTrip sends c.req and reads the answer: its status and body (valid
// until the next request on c), and whether the connection may be reused
// (the server did not answer "Connection: close").
func (c *payConn) roundTrip(ctx context.Context) (status int, body []byte, keep bool, err error) {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(dl)
	} else {
		c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if _, err := c.nc.Write(c.req); err != nil {
		return 0, nil, false, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, errBadAnswer
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, false, errBadAnswer
	}
	length, chunked := -1, false
	keep = true
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, nil, false, errBadAnswer
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqual(name, "Content-Length"):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, nil, false, errBadAnswer
			}
		case asciiEqual(name, "Transfer-Encoding"):
			chunked = asciiEqual(value, "chunked")
		case asciiEqual(name, "Connection") && asciiEqual(value, "close"):
			keep = false
		}
	}
	switch {
	case chunked:
		c.resp, err = readChunked(c.br, c.resp[:0])
	case length >= 0:
		c.resp = append(c.resp[:0], make([]byte, length)...)
		_, err = io.ReadFull(c.br, c.resp)
	default:
		return 0, nil, false, errBadAnswer
	}
	return status, c.resp, keep, err
}

func readChunked(br *bufio.Reader, dst []byte) ([]byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return dst, err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 32)
		if err != nil {
			return dst, errBadAnswer
		}
		if n == 0 {
			// Trailers, then the empty line.
			for {
				l, err := br.ReadSlice('\n')
				if err != nil {
					return dst, err
				}
				if len(bytes.TrimRight(l, "\r\n")) == 0 {
					return dst, nil
				}
			}
		}
		start := len(dst)
		dst = append(dst, make([]byte, n)...)
		if _, err := io.ReadFull(br, dst[start:]); err != nil {
			return dst, err
		}
		if _, err := br.Discard(2); err != nil { // CRLF
			return dst, err
		}
	}
}

func asciiEqual(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}

// answerCode is the top-level "code" of an answer, -1 when there is none.
// Every answer of SPEC §2 starts with it ({"code":0,…}), so the first
// "code" key is the envelope's; the rest of the answer is not decoded.
func answerCode(body []byte) int {
	i := bytes.Index(body, []byte(`"code":`))
	if i < 0 {
		return -1
	}
	rest := bytes.TrimLeft(body[i+len(`"code":`):], " ")
	j := 0
	for j < len(rest) && (rest[j] == '-' || rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1
	}
	return n
}
