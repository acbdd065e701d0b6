package kyc_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/kyc"
)

var (
	wib = time.FixedZone("WIB", 7*60*60)
	t0  = time.Date(2026, 11, 25, 10, 0, 0, 0, wib)
)

type submitInput struct {
	id, customerID string
	nik            kyc.NIK
	fullName       string
	birthDate, now time.Time
}

func validInput(tb testing.TB) submitInput {
	tb.Helper()
	return submitInput{
		id: "k1", customerID: "c1", nik: mustNIK(tb, baseNIK().String()),
		fullName: "Budi Santoso", birthDate: time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC), now: t0,
	}
}

func (in submitInput) submit() (*kyc.Submission, error) {
	return kyc.Submit(in.id, in.customerID, in.nik, in.fullName, in.birthDate, in.now)
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	nikBorn := func(tb testing.TB, y int, m time.Month, d int, female bool) kyc.NIK {
		return mustNIK(tb, baseNIK().with(func(p *nikParts) { p.year, p.month, p.day, p.female = y, int(m), d, female }).String())
	}
	tests := []struct {
		name     string
		change   func(t *testing.T, in *submitInput)
		kind     fault.Kind
		field    string
		wantName string // set when the submission must succeed
	}{
		{"valid submission is pending", nil, 0, "", "Budi Santoso"},
		{"spaces are trimmed and collapsed", func(_ *testing.T, in *submitInput) { in.fullName = "  Budi \t  Santoso\n" }, 0, "", "Budi Santoso"},
		{"single-word name is accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Sukarno" }, 0, "", "Sukarno"},
		{"two-letter name is accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Oe" }, 0, "", "Oe"},
		{"apostrophe, dot, hyphen and comma are accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Drs. H. Ma'ruf Al-Amin, S.H." }, 0, "", "Drs. H. Ma'ruf Al-Amin, S.H."},
		{"typographic apostrophe is accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Ma’ruf" }, 0, "", "Ma’ruf"},
		{"unicode letters are accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Zoë Ñúñez" }, 0, "", "Zoë Ñúñez"},
		{"combining marks are accepted", func(_ *testing.T, in *submitInput) { in.fullName = "Zoe\u0308" }, 0, "", "Zoe\u0308"},
		{"100 characters are accepted", func(_ *testing.T, in *submitInput) { in.fullName = strings.Repeat("é", 100) }, 0, "", strings.Repeat("é", 100)},
		{"female with matching date is accepted", func(t *testing.T, in *submitInput) {
			in.nik = nikBorn(t, 1990, 8, 17, true)
		}, 0, "", "Budi Santoso"},
		{"17th birthday today is accepted", func(t *testing.T, in *submitInput) {
			in.nik, in.birthDate = nikBorn(t, 2009, 11, 25, false), date(2009, 11, 25)
		}, 0, "", "Budi Santoso"},
		{"leap-day born comes of age on 1 March", func(t *testing.T, in *submitInput) {
			in.nik, in.birthDate, in.now = nikBorn(t, 2008, 2, 29, false), date(2008, 2, 29), time.Date(2025, 3, 1, 0, 0, 0, 0, wib)
		}, 0, "", "Budi Santoso"},
		{"birth date is compared in now's time zone", func(t *testing.T, in *submitInput) {
			// 24 November 17:30 UTC is already the 25th in Jakarta.
			in.nik, in.birthDate = nikBorn(t, 2009, 11, 25, false), date(2009, 11, 25)
			in.now = time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC).In(wib)
		}, 0, "", "Budi Santoso"},
		{"empty id is internal", func(_ *testing.T, in *submitInput) { in.id = "" }, fault.Internal, "", ""},
		{"empty customer id is internal", func(_ *testing.T, in *submitInput) { in.customerID = "" }, fault.Internal, "", ""},
		{"zero NIK is invalid", func(_ *testing.T, in *submitInput) { in.nik = kyc.NIK{} }, fault.Invalid, "nik", ""},
		{"blank name is invalid", func(_ *testing.T, in *submitInput) { in.fullName = " \t " }, fault.Invalid, "fullName", ""},
		{"one-letter name is invalid", func(_ *testing.T, in *submitInput) { in.fullName = " B " }, fault.Invalid, "fullName", ""},
		{"101 characters are invalid", func(_ *testing.T, in *submitInput) { in.fullName = strings.Repeat("a", 101) }, fault.Invalid, "fullName", ""},
		{"digits in the name are invalid", func(_ *testing.T, in *submitInput) { in.fullName = "Budi 2" }, fault.Invalid, "fullName", ""},
		{"symbols in the name are invalid", func(_ *testing.T, in *submitInput) { in.fullName = "Budi <script>" }, fault.Invalid, "fullName", ""},
		{"emoji in the name are invalid", func(_ *testing.T, in *submitInput) { in.fullName = "Budi 🙂" }, fault.Invalid, "fullName", ""},
		{"control characters in the name are invalid", func(_ *testing.T, in *submitInput) { in.fullName = "Budi\u200bSantoso" }, fault.Invalid, "fullName", ""},
		{"punctuation only is invalid", func(_ *testing.T, in *submitInput) { in.fullName = ".-,'" }, fault.Invalid, "fullName", ""},
		{"future birth date is invalid", func(_ *testing.T, in *submitInput) { in.birthDate = date(2026, 11, 26) }, fault.Invalid, "birthDate", ""},
		{"born today is too young", func(t *testing.T, in *submitInput) {
			in.nik, in.birthDate = nikBorn(t, 2026, 11, 25, false), date(2026, 11, 25)
		}, fault.Invalid, "birthDate", ""},
		{"one day short of 17 is too young", func(t *testing.T, in *submitInput) {
			in.nik, in.birthDate = nikBorn(t, 2009, 11, 26, false), date(2009, 11, 26)
		}, fault.Invalid, "birthDate", ""},
		{"leap-day born is not 17 on 28 February", func(t *testing.T, in *submitInput) {
			in.nik, in.birthDate, in.now = nikBorn(t, 2008, 2, 29, false), date(2008, 2, 29), time.Date(2025, 2, 28, 23, 0, 0, 0, wib)
		}, fault.Invalid, "birthDate", ""},
		{"now in UTC on the eve of the 17th birthday is too young", func(t *testing.T, in *submitInput) {
			// Already the 26th in Jakarta, but now is given in UTC.
			in.nik, in.birthDate = nikBorn(t, 2009, 11, 26, false), date(2009, 11, 26)
			in.now = time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
		}, fault.Invalid, "birthDate", ""},
		{"birth date other than the NIK's is invalid", func(_ *testing.T, in *submitInput) { in.birthDate = date(1990, 8, 18) }, fault.Invalid, "birthDate", ""},
		{"birth date a century before the NIK's is invalid", func(_ *testing.T, in *submitInput) { in.birthDate = date(1890, 8, 17) }, fault.Invalid, "birthDate", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validInput(t)
			if tt.change != nil {
				tt.change(t, &in)
			}
			s, err := in.submit()
			if tt.wantName != "" {
				if err != nil {
					t.Fatalf("Submit = %v, want success", err)
				}
				assertSubmitted(t, s, in, tt.wantName)
				return
			}
			e, ok := fault.As(err)
			if !ok || e.Kind != tt.kind || e.Field != tt.field {
				t.Fatalf("Submit error = %v, want kind %d on %q", err, tt.kind, tt.field)
			}
			if s != nil {
				t.Fatal("Submit returned a submission with an error")
			}
		})
	}
}

func assertSubmitted(tb testing.TB, s *kyc.Submission, in submitInput, name string) {
	tb.Helper()
	y, m, d := in.birthDate.Date()
	switch {
	case s.ID() != in.id, s.CustomerID() != in.customerID:
		tb.Errorf("ids = %s, %s", s.ID(), s.CustomerID())
	case s.NIK() != in.nik:
		tb.Errorf("NIK = %s", s.NIK().Masked())
	case s.FullName() != name:
		tb.Errorf("FullName = %q, want %q", s.FullName(), name)
	case !s.BirthDate().Equal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) || s.BirthDate().Location() != time.UTC:
		tb.Errorf("BirthDate = %s, want the date at midnight UTC", s.BirthDate())
	case s.Status() != kyc.StatusPending, s.Reason() != "":
		tb.Errorf("Status = %s, Reason = %q", s.Status(), s.Reason())
	case !s.SubmittedAt().Equal(in.now), !s.DecidedAt().IsZero():
		tb.Errorf("SubmittedAt = %s, DecidedAt = %s", s.SubmittedAt(), s.DecidedAt())
	}
}

func TestSubmitKeepsOnlyTheBirthCalendarDate(t *testing.T) {
	t.Parallel()
	in := validInput(t)
	in.birthDate = time.Date(1990, 8, 17, 0, 30, 0, 0, wib) // 16 August in UTC
	s, err := in.submit()
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if want := time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC); !s.BirthDate().Equal(want) {
		t.Fatalf("BirthDate = %s, want %s", s.BirthDate(), want)
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	decided := t0.Add(time.Hour)
	tests := []struct {
		name    string
		prepare func(s *kyc.Submission)
		decide  func(s *kyc.Submission) error
		want    error
		field   string // for Invalid errors that are not sentinels
		status  kyc.Status
		reason  string
	}{
		{"approve pending is approved", nil,
			func(s *kyc.Submission) error { return s.Approve(decided) }, nil, "", kyc.StatusApproved, ""},
		{"reject pending is rejected with the reason", nil,
			func(s *kyc.Submission) error { return s.Reject("  photo  unreadable ", decided) }, nil, "", kyc.StatusRejected, "photo unreadable"},
		{"reject without a reason stays pending", nil,
			func(s *kyc.Submission) error { return s.Reject(" \n", decided) }, nil, "reason", kyc.StatusPending, ""},
		{"reject with an overlong reason stays pending", nil,
			func(s *kyc.Submission) error { return s.Reject(strings.Repeat("x", 501), decided) }, nil, "reason", kyc.StatusPending, ""},
		{"approve approved is already decided", func(s *kyc.Submission) { _ = s.Approve(t0) },
			func(s *kyc.Submission) error { return s.Approve(decided) }, kyc.ErrAlreadyDecided, "", kyc.StatusApproved, ""},
		{"reject approved is already decided", func(s *kyc.Submission) { _ = s.Approve(t0) },
			func(s *kyc.Submission) error { return s.Reject("changed my mind", decided) }, kyc.ErrAlreadyDecided, "", kyc.StatusApproved, ""},
		{"approve rejected is already decided", func(s *kyc.Submission) { _ = s.Reject("blurred", t0) },
			func(s *kyc.Submission) error { return s.Approve(decided) }, kyc.ErrAlreadyDecided, "", kyc.StatusRejected, "blurred"},
		{"reject rejected is already decided", func(s *kyc.Submission) { _ = s.Reject("blurred", t0) },
			func(s *kyc.Submission) error { return s.Reject("again", decided) }, kyc.ErrAlreadyDecided, "", kyc.StatusRejected, "blurred"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := validInput(t).submit()
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if tt.prepare != nil {
				tt.prepare(s)
			}
			before := s.DecidedAt()
			err = tt.decide(s)
			switch {
			case tt.field != "":
				if e, ok := fault.As(err); !ok || e.Kind != fault.Invalid || e.Field != tt.field {
					t.Fatalf("error = %v, want Invalid on %q", err, tt.field)
				}
			case !errors.Is(err, tt.want):
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if s.Status() != tt.status || s.Reason() != tt.reason {
				t.Fatalf("Status = %s, Reason = %q, want %s, %q", s.Status(), s.Reason(), tt.status, tt.reason)
			}
			wantDecided := before
			if err == nil {
				wantDecided = decided
			}
			if !s.DecidedAt().Equal(wantDecided) {
				t.Fatalf("DecidedAt = %s, want %s", s.DecidedAt(), wantDecided)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		kind fault.Kind
	}{
		{"not found is NotFound", kyc.ErrNotFound, fault.NotFound},
		{"already decided is Invalid", kyc.ErrAlreadyDecided, fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fault.KindOf(tt.err); got != tt.kind {
				t.Fatalf("KindOf = %d, want %d", got, tt.kind)
			}
		})
	}
}

func TestRehydrate(t *testing.T) {
	t.Parallel()
	snap := kyc.Snapshot{
		ID: "k1", CustomerID: "c1", NIK: baseNIK().with(func(p *nikParts) { p.female = true }).String(),
		FullName: "Siti Aminah", Reason: "blurred",
		BirthDate: time.Date(1990, 8, 17, 0, 0, 0, 0, time.UTC), Status: kyc.StatusRejected,
		SubmittedAt: t0, DecidedAt: t0.Add(time.Hour),
	}
	s := kyc.Rehydrate(snap)
	got := kyc.Snapshot{
		ID: s.ID(), CustomerID: s.CustomerID(), NIK: s.NIK().String(), FullName: s.FullName(), Reason: s.Reason(),
		BirthDate: s.BirthDate(), Status: s.Status(), SubmittedAt: s.SubmittedAt(), DecidedAt: s.DecidedAt(),
	}
	if got != snap {
		t.Fatalf("round trip = %+v, want %+v", got, snap)
	}
	if !s.NIK().Female() || !s.NIK().MatchesBirthDate(s.BirthDate()) {
		t.Fatal("rehydrated NIK lost its meaning")
	}
	if err := s.Approve(t0); !errors.Is(err, kyc.ErrAlreadyDecided) {
		t.Fatalf("Approve on rehydrated rejected = %v", err)
	}
}

func TestRehydrateToleratesStoredGarbage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		nik    string
		masked string
	}{
		{"empty NIK", "", ""},
		{"short NIK", "123", "***"},
		{"long NIK", "12345678901234567", "*************4567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := kyc.Rehydrate(kyc.Snapshot{NIK: tt.nik}).NIK()
			if n.Masked() != tt.masked || n.Female() || n.MatchesBirthDate(time.Now()) {
				t.Fatalf("Masked = %q, Female = %v", n.Masked(), n.Female())
			}
		})
	}
}

func TestSubmitBirthDateDetails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		birthDate time.Time
		detail    string
	}{
		{"tomorrow is in the future", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), "must not be in the future"},
		{"ten years ago is too young", time.Date(2016, 8, 17, 0, 0, 0, 0, time.UTC), "must be at least 17 years ago"},
		{"another adult date does not match the NIK", time.Date(1991, 8, 17, 0, 0, 0, 0, time.UTC), "does not match the NIK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validInput(t)
			in.birthDate = tt.birthDate
			_, err := in.submit()
			if e, ok := fault.As(err); !ok || e.Field != "birthDate" || e.Detail != tt.detail {
				t.Fatalf("Submit error = %v, want birthDate: %s", err, tt.detail)
			}
		})
	}
}
