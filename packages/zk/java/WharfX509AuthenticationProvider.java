package io.wharf.zookeeper;

import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;

/**
 * ZooKeeper's x509 provider with role-wide ACL entries (Wharf, packages/zk).
 *
 * The stock provider names a TLS client by its certificate subject (RFC 2253, most specific RDN
 * first: CN=host-1,OU=proxy,O=Wharf) and matches an ACL id only by string equality, so an ACL can
 * name one host but never "every proxy". Here an ACL id also matches every client whose subject
 * ends with all of its RDNs: "OU=proxy,O=Wharf" is every proxy, "O=Wharf" every certificate of
 * the installation. Names are parsed (LdapName), not compared as text, so an escaped comma inside
 * a value cannot forge a boundary. Exact ids and the super user behave as in the stock provider.
 */
public class WharfX509AuthenticationProvider extends X509AuthenticationProvider {

    public WharfX509AuthenticationProvider() throws X509Exception {
        super();
    }

    @Override
    public boolean matches(String id, String aclExpr) {
        if (super.matches(id, aclExpr)) {
            return true;
        }
        try {
            LdapName client = new LdapName(id);
            List<Rdn> acl = new LdapName(aclExpr).getRdns();
            // LdapName indexes RDNs from the least specific (O=Wharf) up: a prefix there is a suffix
            // of the printed name. An empty ACL name would match everyone: refuse it.
            return !acl.isEmpty() && acl.size() <= client.size() && client.startsWith(acl);
        } catch (InvalidNameException e) {
            return false;
        }
    }
}
