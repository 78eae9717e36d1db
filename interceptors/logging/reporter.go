package logging

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/grpcobs/grpcobs/interceptors"
	"github.com/grpcobs/grpcobs/interceptors/filter"
	"github.com/grpcobs/grpcobs/interceptors/internal/signal"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/codes"
)

// callLogger is what NewServer and NewClient build: the logger, the side and the options.
// Server and client differ only in isClient.
type callLogger struct {
	logger      *logrus.Logger // logrus.StandardLogger() with a slog backend, for FromContext
	baseFields  logrus.Fields  // the fields of a *logrus.Entry given as the logger; never changed
	slog        slog.Handler   // the slog backend's handler (see NewSlogServer); nil for logrus
	slogger     *slog.Logger   // a logger of slog, for SlogFromContext
	isClient    bool
	component   any
	opts        options
	baggageKeys []keyField
	mdKeys      []keyField
	peers       peerAddresses
}

// keyField is an allowlisted key and the field it is logged under.
type keyField struct{ key, field string }

func newCallLogger(logger logrus.FieldLogger, isClient bool, opts []Option) *callLogger {
	base := baseEntry(logger)
	l := &callLogger{logger: base.Logger, isClient: isClient, component: serverValue, opts: newOptions(opts)}
	if len(base.Data) > 0 {
		l.baseFields = maps.Clone(base.Data)
	}
	if isClient {
		l.component = clientValue
	}
	for _, k := range l.opts.baggageKeys {
		l.baggageKeys = append(l.baggageKeys, keyField{k, BaggageFieldPrefix + k})
	}
	for _, k := range l.opts.mdKeys {
		l.mdKeys = append(l.mdKeys, keyField{k, MetadataFieldPrefix + k})
	}
	return l
}

// start starts logging one call: it puts the call into the context (see FromContext) and logs
// the start line if asked to. When the grpcobs stack records a client call's attempts (a
// signal asked for them: tracing.WithAttemptSpans, metrics.WithAttempts), the finish line of
// a call grpc-go attempted more than once carries FieldAttempts and FieldAttemptCodes.
func (l *callLogger) start(ctx context.Context, sc signal.Call) (interceptors.Reporter, context.Context) {
	meta := sc.Meta
	c := &call{log: l, service: meta.Service, method: meta.Method, typ: meta.Typ, attempts: sc.Attempts,
		slogMethod: l.slogMethodOf(sc)}
	if l.opts.mwFields {
		c.startNano = mwStartTime(sc.Start)
	}
	c.parent = ctx
	if l.opts.startLine {
		c.logStart(meta.ReqOrNil)
	}
	return c, c
}

// linePool holds the entries lines are logged with. Logging works on a copy of the entry and
// of its fields (logrus' Entry contract), so once Log returns, the entry and its map are free
// for the next line: a line allocates no map of its own.
var linePool = sync.Pool{New: func() any { return &logrus.Entry{Data: logrus.Fields{}} }}

// maxPooledFields keeps the occasional line with many fields from making every later line's
// copy bigger: logrus copies the map at its capacity.
const maxPooledFields = 32

// write logs one line of the call at level, with msg (a string): straight to the logger's
// output when it can (writeDirect), through logrus otherwise.
func (c *call) write(level logrus.Level, msg any, ln *line) {
	if c.log.slog != nil {
		c.writeSlog(level, msg.(string), ln)
		return
	}
	var fields *lineFields // the fields as the direct path holds them, when it was tried
	if formatter := c.directFormatter(level); formatter != nil {
		fields = lineFieldsPool.Get().(*lineFields)
		defer fields.release()
		c.fields(fields, ln)
		if c.writeDirect(level, msg.(string), formatter, fields) {
			return
		}
	}
	entry := linePool.Get().(*logrus.Entry)
	entry.Logger, entry.Context = c.log.logger, c.ctx()
	maps.Copy(entry.Data, c.log.baseFields)
	maps.Copy(entry.Data, c.addedFields())
	if fields != nil {
		fields.copyTo(entry.Data)
	} else {
		c.fields(logrusFields(entry.Data), ln)
	}
	entry.Log(level, msg)
	if len(entry.Data) > maxPooledFields {
		return
	}
	clear(entry.Data)
	entry.Logger, entry.Context = nil, nil
	linePool.Put(entry)
}

// call is one call's Reporter and its request scope.
type call struct {
	log *callLogger
	// parent is the context the call started with. The call itself is the context handed on
	// (see Value): one allocation fewer than a context.WithValue around parent.
	parent  context.Context
	service string
	method  string
	typ     interceptors.GRPCType
	// payloads are a unary call's messages with WithPayloads; nil without, so that the call
	// is two words smaller.
	payloads *unaryPayloads
	// attempts is the stack's record of a client call's attempts, when it keeps one.
	attempts signal.AttemptRecord
	// startNano is when the call started, with WithGoGRPCMiddlewareFields (its lines carry
	// it); an int64 rather than a time.Time keeps the call in its allocation size class.
	startNano int64

	mu        sync.Mutex
	added     logrus.Fields // AddFields; replaced, never changed in place
	scoped    *logrus.Entry // FromContext's entry, built on first use
	slogScope *slogScope    // SlogFromContext's and SlogHandler's, built on first use
	// slogMethod is the slog backend's handler for the call's method, when it has one.
	slogMethod *slogMethod
}

var _ interceptors.Reporter = (*call)(nil)

// view is what filters see of a line of the call.
func (c *call) view(ln *line) filter.Call {
	return filter.Call{
		Context:  c.ctx(),
		Service:  c.service,
		Method:   c.method,
		Type:     c.typ,
		IsClient: c.log.isClient,
		Finished: ln.finished,
		Code:     ln.code,
		Err:      ln.err,
		Duration: ln.duration,
	}
}

// logLine logs one line of the call, unless its level is disabled or a filter drops it.
func (c *call) logLine(msg any, ln *line) {
	l := c.log
	level := l.opts.level(l.isClient, ln.code)
	if !l.enabled(c.ctx(), level) || !l.opts.keep(c.view(ln)) {
		return
	}
	c.write(level, msg, ln)
}

func (c *call) logStart(req any) {
	if c.log.opts.payloads && c.typ == interceptors.Unary && req != nil {
		c.unaryPayloads().request = c.log.opts.render(req)
	}
	c.logLine(msgStarted, &line{code: codes.OK, start: true})
}

// PostCall logs the finish line.
func (c *call) PostCall(err error, d time.Duration) {
	c.logLine(msgFinished, &line{finished: true, code: interceptors.Code(err), err: err, duration: d})
}

// PostMsgSend records or logs a message the call sent, with WithPayloads.
func (c *call) PostMsgSend(msg any, err error, _ time.Duration) {
	c.message(true, msg, err)
}

// PostMsgReceive records or logs a message the call received, with WithPayloads.
func (c *call) PostMsgReceive(msg any, err error, _ time.Duration) {
	c.message(false, msg, err)
}

// message handles a message the call sent or received: a unary call keeps it for its finish
// line; a stream logs it on a line of its own. Failed sends and receives (io.EOF included)
// carry no message.
func (c *call) message(sent bool, msg any, err error) {
	if !c.log.opts.payloads || err != nil || msg == nil {
		return
	}
	// Clients send requests and receive responses; servers the other way round.
	isRequest := sent == c.log.isClient
	if c.typ == interceptors.Unary {
		p := c.unaryPayloads()
		switch {
		case isRequest && p.request == nil:
			p.request = c.log.opts.render(msg)
		case !isRequest:
			p.response = c.log.opts.render(msg)
		}
		return
	}
	ln := &line{code: codes.OK, contentKey: FieldResponseContent, content: msg}
	if isRequest {
		ln.contentKey = FieldRequestContent
	}
	c.logLine(messageText(sent, isRequest), ln)
}

// unaryPayloads are a unary call's messages, rendered (WithPayloads). Each is written once,
// before the finish line, by the goroutine that runs the call.
type unaryPayloads struct{ request, response any }

// unaryPayloads returns the call's payloads, made on first use.
func (c *call) unaryPayloads() *unaryPayloads {
	if c.payloads == nil {
		c.payloads = new(unaryPayloads)
	}
	return c.payloads
}

func messageText(sent, isRequest bool) any {
	switch {
	case sent && isRequest:
		return msgRequestSent
	case sent:
		return msgResponseSent
	case isRequest:
		return msgRequestReceived
	default:
		return msgResponseReceived
	}
}

// addedFields are the fields added with AddFields, to be read, not changed.
func (c *call) addedFields() logrus.Fields {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.added
}

// side is what a Server or a Client is (signal.Side).
type side = signal.Side[*callLogger]

func newSide(logger logrus.FieldLogger, isClient bool, opts []Option) *side {
	l := newCallLogger(logger, isClient, opts)
	return signal.NewSide(l, signal.Sides(l.traits(), l.start))
}

// traits is what logging tells the grpcobs stack: it runs after tracing and metrics (its
// fields read the span and the baggage), reads no message durations, and follows its status
// policy.
func (l *callLogger) traits() signal.Traits {
	return signal.Traits{Rank: signal.RankLogging, IgnoresMessageDurations: true, StatusPolicy: l.opts.policy}
}
