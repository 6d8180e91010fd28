package io.meshca.samples.payments;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meshca.samples.proto.v1.PayRequest;
import io.meshca.samples.proto.v1.PaymentsGrpc;
import io.meshca.samples.proto.v1.Receipt;
import io.meshca.samples.tls.PeerIdentityInterceptor;
import java.util.UUID;

/** The payments API: takes any positive amount for any order and answers with a receipt naming the payer. */
public final class PaymentsService extends PaymentsGrpc.PaymentsImplBase {

    static final String MISSING_ORDER_ID = "order_id is required";
    static final String NON_POSITIVE_AMOUNT = "amount_cents must be positive";

    @Override
    public void pay(PayRequest request, StreamObserver<Receipt> response) {
        if (request.getOrderId().isBlank()) {
            response.onError(
                    Status.INVALID_ARGUMENT.withDescription(MISSING_ORDER_ID).asRuntimeException());
            return;
        }
        if (request.getAmountCents() <= 0) {
            response.onError(
                    Status.INVALID_ARGUMENT.withDescription(NON_POSITIVE_AMOUNT).asRuntimeException());
            return;
        }
        response.onNext(Receipt.newBuilder()
                .setReceiptId(UUID.randomUUID().toString())
                .setOrderId(request.getOrderId())
                .setAmountCents(request.getAmountCents())
                .setPayerSpiffeId(PeerIdentityInterceptor.PEER_ID.get())
                .build());
        response.onCompleted();
    }
}
