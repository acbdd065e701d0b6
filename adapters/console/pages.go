package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dompet/wallet/app"
	"github.com/dompet/wallet/domain/fault"
	"github.com/dompet/wallet/domain/operator"
	"github.com/dompet/wallet/domain/transfer"
	"github.com/dompet/wallet/domain/wallet"
)

var funcs = template.FuncMap{
	"rupiah": rupiah,
	"wib":    func(t time.Time) string { return t.In(wallet.WIB).Format("2006-01-02 15:04:05 WIB") },
	"can":    func(o *operator.Operator, a string) bool { return o != nil && o.Can(operator.Action(a)) },
}

// rupiah formats whole rupiah with Indonesian thousands separators.
func rupiah(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return sign + "Rp" + b.String()
}

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "error", "kyc", "customers", "transactions", "webhooks", "partners", "reconcile", "audit", "operators"} {
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return pages
}

func (s *Server) kycPage(w http.ResponseWriter, r *http.Request) {
	s.showKYC(w, r, http.StatusOK, "")
}

func (s *Server) showKYC(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	p := s.page(r, "KYC queue", errMsg)
	items, err := s.bo.KYCQueue(r.Context(), p.Op)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = items
	s.render(w, r, status, "kyc", p)
}

func (s *Server) decideKYC(w http.ResponseWriter, r *http.Request) {
	op := sessionOf(r).op
	mobile, reason := r.PostFormValue("mobile"), r.PostFormValue("reason")
	approve := r.PostFormValue("decision") == "approve"
	if !approve && r.PostFormValue("decision") != "reject" {
		s.showKYC(w, r, http.StatusBadRequest, "decision: must be approve or reject")
		return
	}
	c, err := s.bo.DecideKYCAs(r.Context(), op, mobile, approve, reason)
	if err != nil {
		status, msg := s.describe(r, err)
		s.showKYC(w, r, status, msg)
		return
	}
	done(w, r, prefix+"/kyc", fmt.Sprintf("KYC of %s: %s (%s).", c.Mobile(), c.KYCStatus(), c.AccountType()))
}

type customerData struct {
	Mobile string
	Found  *app.CustomerDetail
}

func (s *Server) customersPage(w http.ResponseWriter, r *http.Request) {
	s.showCustomer(w, r, http.StatusOK, r.URL.Query().Get("mobile"), "")
}

func (s *Server) showCustomer(w http.ResponseWriter, r *http.Request, status int, mobile, errMsg string) {
	p := s.page(r, "Customers", errMsg)
	d := customerData{Mobile: mobile}
	if strings.TrimSpace(mobile) != "" {
		found, err := s.bo.Customer(r.Context(), p.Op, mobile)
		if err != nil && fault.KindOf(err) != fault.NotFound && fault.KindOf(err) != fault.InvalidMobile {
			s.fail(w, r, err)
			return
		}
		if err != nil {
			if p.Error == "" {
				status, p.Error = s.describe(r, err)
			}
		} else {
			d.Found = &found
		}
	}
	p.Data = d
	s.render(w, r, status, "customers", p)
}

func (s *Server) blockCustomer(w http.ResponseWriter, r *http.Request) {
	mobile := r.PostFormValue("mobile")
	block := r.PostFormValue("action") == "block"
	c, err := s.bo.SetBlocked(r.Context(), sessionOf(r).op, mobile, block, r.PostFormValue("reason"))
	if err != nil {
		status, msg := s.describe(r, err)
		s.showCustomer(w, r, status, mobile, msg)
		return
	}
	done(w, r, prefix+"/customers?mobile="+c.Mobile().String(), fmt.Sprintf("%s is now %s.", c.Mobile(), c.Status()))
}

type transactionsData struct {
	ReffID, OrderID, Partner, From, To, Status string
	Partners                                   []app.PartnerView
	Results                                    []app.TransactionDetail
	Searched                                   bool
}

func (s *Server) transactionsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := s.page(r, "Transactions", "")
	d := transactionsData{ReffID: strings.TrimSpace(q.Get("reffId")), OrderID: strings.TrimSpace(q.Get("orderId")),
		Partner: q.Get("partner"), From: q.Get("from"), To: q.Get("to"), Status: q.Get("status")}
	partners, err := s.bo.Partners(r.Context(), p.Op)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Partners = partners
	status := http.StatusOK
	if len(q) > 0 {
		f, err := searchOf(d)
		if err == nil {
			d.Results, err = s.bo.Transactions(r.Context(), p.Op, f)
		}
		if err != nil {
			status, p.Error = s.describe(r, err)
		}
		d.Searched = err == nil
	}
	p.Data = d
	s.render(w, r, status, "transactions", p)
}

// searchOf reads the form; dates are calendar days in WIB, the To day
// included.
func searchOf(d transactionsData) (app.TransactionSearch, error) {
	f := app.TransactionSearch{ReffID: d.ReffID, OrderID: d.OrderID, PartnerID: d.Partner}
	switch st := transfer.Status(d.Status); st {
	case "", transfer.StatusPending, transfer.StatusSuccess, transfer.StatusFailed:
		f.Status = st
	default:
		return f, fault.Invalidf("status", "must be PENDING, SUCCESS or FAILED")
	}
	for _, x := range []struct {
		field, v string
		to       *time.Time
		add      int
	}{{"from", d.From, &f.From, 0}, {"to", d.To, &f.To, 1}} {
		if x.v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, x.v, wallet.WIB)
		if err != nil {
			return f, fault.Invalidf(x.field, "must be a date as YYYY-MM-DD")
		}
		*x.to = t.AddDate(0, 0, x.add)
	}
	return f, nil
}

type webhooksData struct {
	Partner, Status string
	Partners        []app.PartnerView
	Events          []app.Event
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) {
	s.showWebhooks(w, r, http.StatusOK, r.URL.Query().Get("partner"), r.URL.Query().Get("status"), "")
}

func (s *Server) showWebhooks(w http.ResponseWriter, r *http.Request, status int, partnerID, state, errMsg string) {
	p := s.page(r, "Webhooks", errMsg)
	d := webhooksData{Partner: partnerID, Status: state}
	var err error
	if d.Partners, err = s.bo.Partners(r.Context(), p.Op); err != nil {
		s.fail(w, r, err)
		return
	}
	if partnerID != "" {
		if d.Events, err = s.bo.Deliveries(r.Context(), p.Op, partnerID, state); err != nil {
			status, p.Error = s.describe(r, err)
		}
	}
	p.Data = d
	s.render(w, r, status, "webhooks", p)
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request) {
	partnerID, state := r.PostFormValue("partner"), r.PostFormValue("status")
	e, err := s.bo.Replay(r.Context(), sessionOf(r).op, r.PostFormValue("eventId"))
	if err != nil {
		status, msg := s.describe(r, err)
		s.showWebhooks(w, r, status, partnerID, state, msg)
		return
	}
	done(w, r, webhooksURL(e.PartnerID, state), "Event "+e.ID+" queued for delivery again.")
}

func (s *Server) replayDead(w http.ResponseWriter, r *http.Request) {
	partnerID := r.PostFormValue("partner")
	n, err := s.bo.ReplayDead(r.Context(), sessionOf(r).op, partnerID)
	if err != nil {
		status, msg := s.describe(r, err)
		s.showWebhooks(w, r, status, partnerID, app.EventDead, msg)
		return
	}
	done(w, r, webhooksURL(partnerID, ""), fmt.Sprintf("%d dead event(s) queued for delivery again.", n))
}

func webhooksURL(partnerID, state string) string {
	return prefix + "/webhooks?partner=" + urlQuery(partnerID) + "&status=" + urlQuery(state)
}

func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request) {
	s.showPartners(w, r, http.StatusOK, "")
}

func (s *Server) showPartners(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	p := s.page(r, "Partners", errMsg)
	partners, err := s.bo.Partners(r.Context(), p.Op)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = partners
	s.render(w, r, status, "partners", p)
}

func (s *Server) disablePartner(w http.ResponseWriter, r *http.Request) {
	pt, err := s.bo.DisablePartner(r.Context(), sessionOf(r).op, r.PostFormValue("partner"), r.PostFormValue("reason"))
	if err != nil {
		status, msg := s.describe(r, err)
		s.showPartners(w, r, status, msg)
		return
	}
	done(w, r, prefix+"/partners", pt.Name()+" is disabled: its requests are refused.")
}

func (s *Server) reconcilePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reconcile", s.page(r, "Reconcile", ""))
}

func (s *Server) reconcile(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "Reconcile", "")
	rep, err := s.bo.Reconcile(r.Context(), p.Op)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = rep
	s.render(w, r, http.StatusOK, "reconcile", p)
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "Audit log", "")
	log, err := s.bo.AuditLog(r.Context(), p.Op, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = log
	s.render(w, r, http.StatusOK, "audit", p)
}

type operatorsData struct {
	Operators []*operator.Operator
	Created   *operator.Operator
	Password  string // of Created, shown once
}

func (s *Server) operatorsPage(w http.ResponseWriter, r *http.Request) {
	s.showOperators(w, r, http.StatusOK, operatorsData{}, "")
}

func (s *Server) showOperators(w http.ResponseWriter, r *http.Request, status int, d operatorsData, errMsg string) {
	p := s.page(r, "Operators", errMsg)
	var err error
	if d.Operators, err = s.bo.Operators(r.Context(), p.Op); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, status, "operators", p)
}

// createOperator answers with the page itself, not a redirect: the new
// password is shown on this one response and stored nowhere else.
func (s *Server) createOperator(w http.ResponseWriter, r *http.Request) {
	o, pw, err := s.bo.CreateOperator(r.Context(), sessionOf(r).op, r.PostFormValue("email"), r.PostFormValue("role"))
	if err != nil {
		status, msg := s.describe(r, err)
		if status == http.StatusForbidden {
			s.fail(w, r, err)
			return
		}
		s.showOperators(w, r, status, operatorsData{}, msg)
		return
	}
	s.showOperators(w, r, http.StatusOK, operatorsData{Created: o, Password: pw}, "")
}
