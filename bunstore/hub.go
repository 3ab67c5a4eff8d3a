package bunstore

// The payloads of the store's notifications on PostgreSQL.
const (
	wakePayload   = "append"
	cancelPayload = "cancel"
)

// deliver passes a notification from another process to the subscribers.
func (s *Store) deliver(payload string) {
	if payload == cancelPayload {
		s.hub.WakeCancel()
		return
	}
	s.hub.Wake()
}
