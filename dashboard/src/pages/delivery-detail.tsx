/** One delivery by its id: where a FIFO delivery's "waiting behind" and "follows" links lead. */
import { get } from '../api.js';
import { DeliveryCard } from '../components/delivery-card.js';
import { ErrorBox, Loading } from '../components/states.js';
import { useLoad } from '../load.js';
import type { WebhookDelivery, WebhookEndpoint } from '../types.js';

export function DeliveryDetailPage({ id }: { id: string }) {
  const loaded = useLoad(async () => {
    const delivery = await get<WebhookDelivery>(`/v1/webhooks/${id}`);
    const endpoint = await get<WebhookEndpoint>(`/v1/webhooks/endpoints/${delivery.endpoint}`).catch(() => null);
    return { delivery, endpoint };
  }, [id]);
  if (loaded.loading) return <Loading what="the delivery" />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  const { delivery, endpoint } = loaded.data!;
  return (
    <>
      <p><a href="#/deliveries">← Deliveries</a></p>
      <h1>Delivery <code>{delivery.id}</code></h1>
      <DeliveryCard delivery={delivery} endpointUrl={endpoint?.url} showEvent />
    </>
  );
}
